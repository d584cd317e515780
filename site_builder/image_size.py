"""An image's intrinsic size, read from its header, so pages can give each `<img>` its width and height:
the browser then reserves the image's box before the file arrives, and nothing below it moves when it does
(images load lazily, after the page is shown)."""

from __future__ import annotations

import re
import struct
from pathlib import Path

_SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.S)
_LENGTH = re.compile(r"\s*([0-9.]+)\s*(px)?\s*$")


def _svg_size(head: bytes) -> tuple[int, int] | None:
    root = _SVG_ROOT.search(head)
    if not root:
        return None
    attrs = dict(re.findall(r'([\w:-]+)\s*=\s*["\']([^"\']*)["\']', root.group(0).decode("utf-8", "replace")))
    width, height = (_LENGTH.match(attrs.get(k, "")) for k in ("width", "height"))
    if width and height:
        return round(float(width.group(1))), round(float(height.group(1)))
    box = attrs.get("viewBox", "").replace(",", " ").split()
    if len(box) == 4:
        try:
            w, h = float(box[2]), float(box[3])
        except ValueError:
            return None
        return (round(w), round(h)) if w > 0 and h > 0 else None
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    return None


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) in CSS pixels of a PNG, GIF, JPEG or SVG file, or None when it cannot be read."""
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 16)
    except OSError:
        return None
    size = None
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        size = struct.unpack(">II", head[16:24])
    elif head[:6] in (b"GIF87a", b"GIF89a"):
        size = struct.unpack("<HH", head[6:10])
    elif head.startswith(b"\xff\xd8"):
        size = _jpeg_size(head)
    elif b"<svg" in head:
        size = _svg_size(head)
    return size if size and size[0] > 0 and size[1] > 0 else None
