"""Image sizes read from file headers (`site_builder.image_size`): pages give each image its width and height,
so its box is reserved before it loads."""

from __future__ import annotations

import struct
import zlib

from site_builder.image_size import image_size


def png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def test_sizes_of_png_gif_jpeg_and_svg(tmp_path):
    files = {
        "a.png": png(720, 270),
        "b.gif": b"GIF89a" + struct.pack("<HH", 31, 17) + b"\x00" * 20,
        "c.jpg": jpeg(640, 480),
        "d.svg": b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="520" height="562.4"\n'
                 b'     viewBox="0 0 10 10"><rect/></svg>',
        "e.svg": b'<svg viewBox="0 0 300.5 150" xmlns="http://www.w3.org/2000/svg"></svg>',
        "f.svg": b'<svg width="100%" height="100%" viewBox="0,0,40,20"></svg>',  # relative: the view box
        "g.svg": b'<svg width="10cm" height="5cm"></svg>',  # no pixels, no view box: unknown
        "h.png": b"not an image at all",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    sizes = {name: image_size(tmp_path / name) for name in files}
    assert sizes == {"a.png": (720, 270), "b.gif": (31, 17), "c.jpg": (640, 480), "d.svg": (520, 562),
                     "e.svg": (300, 150), "f.svg": (40, 20), "g.svg": None, "h.png": None}
    assert image_size(tmp_path / "missing.png") is None
