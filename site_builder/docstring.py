"""A docstring's note: its text exactly as the author typed it, and Sphinx fields as markdown.

Python evaluates an ordinary (non-raw) docstring, so `\\frac` reaches `ast` as a form feed + `rac`
and `\\\\` as one backslash. Authors of this genre write LaTeX in ordinary docstrings and mean what
they typed, so the note is cut from the source between the quotes instead, whatever the prefix
(`r`, `u`, `f`, none), then dedented like `inspect.cleandoc`.
"""

from __future__ import annotations

import inspect
import re

_PREFIX = re.compile(r"[rRuUfFbB]{0,2}")
# `:param x:`, `:param int x:`, `:type x:`, `:return:`, `:returns:`, `:rtype:`, `:raises E:`, `:raise E:`
_FIELD = re.compile(r"^(?P<indent>[ \t]*):(?P<kind>param|parameter|arg|argument|key|keyword|type|"
                    r"returns?|rtype|raises?|except|exception)(?:[ \t]+(?P<arg>[^:\n]+?))?[ \t]*:"
                    r"(?:[ \t]+(?P<text>.*)|[ \t]*)$")
_PARAM_KINDS = {"param", "parameter", "arg", "argument", "key", "keyword"}
_FENCE = re.compile(r"^[ \t]*(```|~~~)")


def literal_text(source_lines: list[str], lineno: int, col: int, end_lineno: int, end_col: int) -> str | None:
    """The characters between the quotes of the string literal at the given `ast` position (1-based
    lines, 0-based UTF-8 byte columns as `ast` gives them), or None when it is not one plain literal
    (e.g. implicitly concatenated pieces)."""
    first = source_lines[lineno - 1].encode("utf-8")
    if lineno == end_lineno:
        literal = first[col:end_col].decode("utf-8")
    else:
        last = source_lines[end_lineno - 1].encode("utf-8")
        literal = "\n".join([first[col:].decode("utf-8"), *source_lines[lineno:end_lineno - 1],
                             last[:end_col].decode("utf-8")])
    prefix = _PREFIX.match(literal).group(0)  # type: ignore[union-attr]
    rest = literal[len(prefix):]
    for quote in ('"""', "'''", '"', "'"):
        if rest.startswith(quote) and rest.endswith(quote) and len(rest) >= 2 * len(quote):
            inner = rest[len(quote):-len(quote)]
            # Another quote run inside a one-quote literal means several literals joined together.
            if len(quote) == 1 and ("\n" in inner or _unescaped(inner, quote)):
                return None
            if len(quote) == 3 and _unescaped(inner, quote):
                return None
            return inner
    return None


def _unescaped(text: str, quote: str) -> bool:
    at = text.find(quote)
    while at != -1:
        backslashes = len(text[:at]) - len(text[:at].rstrip("\\"))
        if backslashes % 2 == 0:
            return True
        at = text.find(quote, at + 1)
    return False


def clean(text: str) -> tuple[str, int]:
    """Dedented text (like `inspect.cleandoc`) and how many leading lines were blank."""
    skipped = 0
    for piece in text.split("\n"):
        if piece.strip():
            break
        skipped += 1
    return inspect.cleandoc(text), skipped


def sphinx_fields(note: str) -> str:
    """The note with its Sphinx fields as markdown (see `sphinx_fields_with_lines`)."""
    return sphinx_fields_with_lines(note)[0]


def sphinx_fields_with_lines(note: str) -> tuple[str, list[int]]:
    """`:param name: text` / `:type name: t` → a markdown list ("`name` (`t`) text"); `:return:` and
    `:raises E:` → a *Returns* / *Raises* paragraph. Text outside fields, and fenced code, is kept.

    A field's text may continue on following lines that are indented more than the field. A blank
    line is put before the list when text precedes it directly (markdown needs one).
    """
    lines = note.split("\n")
    if ":" not in note:
        return note, list(range(len(lines)))
    out: list[str] = []
    origin: list[int] = []  # for each line of `out`, the line of `note` it comes from (diagnostics)

    def emit(text: str, source: int) -> None:
        out.append(text)
        origin.append(min(source, len(lines) - 1))

    params: dict[str, list] = {}  # name → [out index of its item, text lines, type]
    in_fence = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            in_fence = not in_fence
        m = None if in_fence else _FIELD.match(line)
        if m is None:
            emit(line, i)
            i += 1
            continue
        field_line = i
        indent = len(m.group("indent").expandtabs())
        text = [m.group("text") or ""]
        i += 1
        while i < len(lines) and lines[i].strip() and len(lines[i].expandtabs()) - len(
                lines[i].expandtabs().lstrip()) > indent and not _FIELD.match(lines[i]):
            text.append(lines[i].strip())
            i += 1
        body = " ".join(t for t in text if t).strip()
        kind, arg = m.group("kind"), (m.group("arg") or "").strip()
        if kind in _PARAM_KINDS or kind == "type":
            words = arg.split()
            name = words[-1] if words else ""
            type_ = " ".join(words[:-1]) if kind != "type" else body
            entry = params.get(name)
            if entry is None:
                if out and out[-1].strip() and not _is_item(out[-1]):
                    emit("", field_line)
                entry = params[name] = [len(out), "", ""]
                emit("", field_line)
            if kind == "type":
                entry[2] = type_
            else:
                entry[1], entry[2] = body, type_ or entry[2]
            out[entry[0]] = _item(name, entry[2], entry[1])
            if i < len(lines) and lines[i].strip() and not _FIELD.match(lines[i]):
                emit("", i)  # text after the list is a paragraph, not part of the last item
            continue
        if out and out[-1].strip():
            emit("", field_line)
        if kind in ("return", "returns"):
            emit(f"*Returns:* {body}".rstrip(), field_line)
        elif kind == "rtype":
            emit(f"*Return type:* `{body}`" if body else "", field_line)
        else:
            exception = f" `{arg}`" if arg else ""
            emit(f"*Raises*{exception}{':' if body else ''} {body}".rstrip(), field_line)
        if i < len(lines) and lines[i].strip():
            emit("", i)
    return "\n".join(out), origin


def _is_item(line: str) -> bool:
    return line.startswith("* `")


def _item(name: str, type_: str, text: str) -> str:
    shown_type = f" (`{type_}`)" if type_ else ""
    return f"* `{name}`{shown_type} {text}".rstrip()
