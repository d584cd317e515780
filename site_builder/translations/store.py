"""One JSON object per source file and language: `translations/<lang>/<rel without suffix>.json`.

Reading accepts any valid JSON text (escaped `\\uXXXX` or raw UTF-8) and reports precisely what is
wrong with a damaged file (file, line, column). Writing is deterministic (UTF-8 without escaping,
sorted keys, indent 2, trailing newline) and atomic. A file that could not be read cleanly is never
written: `update` refuses, so a tool cannot drop what it failed to understand.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from json.decoder import JSONDecodeError, scanstring
from pathlib import Path, PurePosixPath

from ..atomic import write_atomic
from ..normal_form import normalize_key

GLOSSARY = "glossary.json"
REVIEW_SUFFIX = ".review.json"  # carried-over translations waiting for a translator's confirmation
# One file translates one source: megabytes mean a mistake (a pasted dump), and reading it costs memory.
DEFAULT_MAX_FILE_BYTES = 8 * 2**20
_WS = " \t\n\r"


class StoreError(Exception):
    """A translation file that cannot be used as a whole (or cannot safely be rewritten)."""

    def __init__(self, path: str, line: int, column: int, message: str):
        super().__init__(f"{path}:{line}:{column}: {message}" if line else f"{path}: {message}")
        self.path, self.line, self.column, self.message = path, line, column, message


@dataclass
class Problem:
    """Something wrong at a place in a translation file (line 0: the file as a whole)."""

    line: int
    column: int
    message: str
    key: str | None = None  # the entry it concerns, when it concerns one


@dataclass
class TranslationFile:
    """What one file holds. `entries` has only string → string pairs; anything else is a problem."""

    path: Path
    shown: str  # how messages name the file
    exists: bool
    digest: str  # of the bytes ("" when the file does not exist)
    entries: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # key → line of the key in the file
    problems: list[Problem] = field(default_factory=list)  # structural: the file cannot be rewritten
    raw: bytes = b""

    @property
    def ok(self) -> bool:
        return not self.problems


def _pos(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def _json_message(e: JSONDecodeError) -> str:
    if e.msg.startswith("Invalid control character"):
        return "a line break or control character inside a string (write it as \\n or \\t)"
    return e.msg.removesuffix(" at").removesuffix(":")


def parse_entries(text: str) -> tuple[dict[str, str], dict[str, int], list[Problem]]:
    """Parse a translation file's text: one JSON object whose keys and values are strings.

    Keys are brought to their normal form (`normal_form.normalize_key`), so a file written by another
    tool, or before the normal form existed, matches the notes it translates; the tools write the
    normal form back on their next write. A syntax error stops the parse (no entries: a half-read
    file must not be used or rewritten). A value that is not a string, or a key given twice (also two
    spellings of one key with different translations), is a problem of that entry.
    """
    entries: dict[str, str] = {}
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    decoder = json.JSONDecoder()
    position = _Position(text)
    raw_keys: set[str] = set()

    def fail(index: int, message: str) -> tuple[dict, dict, list[Problem]]:
        line, col = _pos(text, index)
        return {}, {}, [Problem(line, col, message)]

    i = _skip(text, 1 if text.startswith("\ufeff") else 0)
    if i >= len(text):
        return fail(i, "empty file: expected a JSON object ({} for no translations)")
    if text[i] != "{":
        return fail(i, "the file must hold one JSON object mapping English keys to translations")
    i = _skip(text, i + 1)
    if i < len(text) and text[i] == "}":
        i += 1
    else:
        while True:
            if i >= len(text):
                return fail(i, "unexpected end of file inside the object (missing '}'?)")
            if text[i] != '"':
                return fail(i, "expected a key: keys must be strings in double quotes")
            key_at = i
            try:
                raw_key, i = scanstring(text, i + 1)
            except JSONDecodeError as e:
                return fail(e.pos, f"bad key string: {_json_message(e)}")
            key_end, i = i, _skip(text, i)
            if i >= len(text) or text[i] != ":":
                return fail(key_end, "expected ':' after the key")
            i = _skip(text, i + 1)
            try:
                value, i = decoder.raw_decode(text, i)
            except JSONDecodeError as e:
                return fail(e.pos, f"bad value: {_json_message(e)}")
            line, col = position.at(key_at)
            key = normalize_key(raw_key)
            respelled = key in entries and raw_key not in raw_keys and isinstance(value, str) and (
                not value.strip() or not entries[key].strip() or value == entries[key])
            raw_keys.add(raw_key)
            if respelled:
                if value.strip():  # two spellings of one note, at most one translated: keep that one
                    entries[key], lines[key] = value, line
            elif key in lines:
                problems.append(Problem(line, col, f"duplicate key (first on line {lines[key]})", key))
            elif not isinstance(value, str):
                lines[key] = line
                problems.append(Problem(line, col, f"value is {type(value).__name__}, not a string", key))
            else:
                entries[key] = value
                lines[key] = line
            i = _skip(text, i)
            if i < len(text) and text[i] == ",":
                i = _skip(text, i + 1)
                if i < len(text) and text[i] == "}":
                    return fail(i, "trailing comma before '}'")
                continue
            if i < len(text) and text[i] == "}":
                i += 1
                break
            if i >= len(text):
                return fail(i, "unexpected end of file inside the object (missing '}'?)")
            return fail(i, "expected ',' or '}' after the value")
    i = _skip(text, i)
    if i < len(text):
        return fail(i, "extra data after the JSON object")
    return entries, lines, problems


class _Position:
    """(line, column) of increasing offsets in one text, counting newlines once overall, not from
    the start for every key (a store of thousands of keys loads in linear time)."""

    def __init__(self, text: str):
        self.text, self.offset, self.line, self.line_start = text, 0, 1, 0

    def at(self, index: int) -> tuple[int, int]:
        if index < self.offset:
            return _pos(self.text, index)
        newlines = self.text.count("\n", self.offset, index)
        if newlines:
            self.line += newlines
            self.line_start = self.text.rfind("\n", self.offset, index) + 1
        self.offset = index
        return self.line, index - self.line_start + 1


def dumps(entries: dict[str, str]) -> str:
    """The one way a translation file is written."""
    return json.dumps(entries, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def read_file(path: Path, shown: str | None = None, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> TranslationFile:
    """The file's entries and problems. A file over `max_bytes` is not read: it is one problem."""
    shown = shown or path.as_posix()
    try:
        size = path.stat().st_size
        if size > max_bytes:
            result = TranslationFile(path, shown, True, f"size:{size}:{path.stat().st_mtime_ns}")
            result.problems.append(Problem(0, 0, f"the file is {size / 2**20:.1f} MB, over the limit of "
                                                 f"{max_bytes / 2**20:g} MB for one translation file "
                                                 "(translation_file_limit_mb in mkdocs.yml)"))
            return result
        raw = path.read_bytes()
    except FileNotFoundError:
        return TranslationFile(path, shown, False, "")
    digest = hashlib.sha1(raw).hexdigest()
    result = TranslationFile(path, shown, True, digest, raw=raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        prefix = raw[: e.start].decode("utf-8", "replace")
        line, col = _pos(prefix, len(prefix))
        result.problems.append(Problem(line, col, "not valid UTF-8"))
        return result
    result.entries, result.lines, result.problems = parse_entries(text)
    return result


class TranslationStore:
    """The folder of translation files (`translations/`)."""

    def __init__(self, root: Path, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES):
        self.root = Path(root)
        self.max_file_bytes = max_file_bytes

    def relative_json(self, rel: str) -> str:
        """`conv_mixer/__init__.py` → `conv_mixer/__init__.json`; `x/readme.md` → `x/readme.json`."""
        return PurePosixPath(rel).with_suffix(".json").as_posix()

    def path_for(self, lang: str, rel: str) -> Path:
        return self.root / lang / self.relative_json(rel)

    def review_path(self, lang: str, rel: str) -> Path:
        """`translations/<lang>/<rel>.review.json`: translations carried over from an earlier version
        of the English (`translations update`), not shown until `translations confirm` moves them."""
        return self.root / lang / PurePosixPath(rel).with_suffix(REVIEW_SUFFIX).as_posix()

    def load_review(self, lang: str, rel: str) -> TranslationFile:
        path = self.review_path(lang, rel)
        return read_file(path, self.shown(path), self.max_file_bytes)

    def review_files(self, lang: str) -> list[str]:
        """The review files of `lang` (relative to its folder)."""
        folder = self.root / lang
        if not folder.is_dir():
            return []
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*" + REVIEW_SUFFIX) if p.is_file())

    def glossary_path(self, lang: str) -> Path:
        return self.root / lang / GLOSSARY

    def shown(self, path: Path) -> str:
        """A path as messages name it: relative to the folder holding the store (`translations/zh/...`)."""
        try:
            return path.resolve().relative_to(self.root.resolve().parent).as_posix()
        except ValueError:
            return path.as_posix()

    def load(self, lang: str, rel: str) -> TranslationFile:
        path = self.path_for(lang, rel)
        return read_file(path, self.shown(path), self.max_file_bytes)

    def languages(self) -> list[str]:
        """Language folders present in the store."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith("."))

    def files(self, lang: str) -> list[str]:
        """Every translation file of `lang` (paths relative to its folder), the glossary and the review
        files excluded."""
        folder = self.root / lang
        if not folder.is_dir():
            return []
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.json")
                      if p.is_file() and p.relative_to(folder).as_posix() != GLOSSARY
                      and not p.name.endswith(REVIEW_SUFFIX))

    def save(self, lang: str, rel: str, entries: dict[str, str]) -> Path:
        path = self.path_for(lang, rel)
        _check_strings(entries, self.shown(path))
        write_atomic(path, dumps(entries).encode("utf-8"))
        return path

    def update(self, lang: str, rel: str, change: Callable[[dict[str, str]], dict[str, str] | None],
               attempts: int = 5, *, dry_run: bool = False, review: bool = False) -> bool:
        """Read, apply `change` (returns the new entries, or None for no change), write atomically.

        Refuses (StoreError) to touch a file it could not read cleanly. Just before writing, the file
        is read again: if another tool changed it meanwhile, `change` is applied to the new content
        instead, so no entry written by someone else is lost. Returns whether the file was written
        (with `dry_run`: whether it would be; nothing is written). `review`: the page's review file
        instead, which is removed when it would be left empty.
        """
        path = self.review_path(lang, rel) if review else self.path_for(lang, rel)
        for _ in range(attempts):
            current = read_file(path, self.shown(path), self.max_file_bytes)
            if current.problems:
                p = current.problems[0]
                raise StoreError(current.shown, p.line, p.column,
                                 f"{p.message} (file left unchanged; fix it by hand first)")
            new = change(dict(current.entries))
            if new is None:
                return False
            data = dumps(new).encode("utf-8")
            if current.exists and data == current.raw or review and not new and not current.exists:
                return False
            if dry_run:
                return True
            again = path.read_bytes() if path.exists() else None
            if (again if again is not None else b"") != current.raw or (again is None) == current.exists:
                continue  # changed under us: redo on the new content
            _check_strings(new, current.shown)
            if review and not new:
                path.unlink(missing_ok=True)
                return True
            write_atomic(path, data)
            return True
        raise StoreError(self.shown(path), 0, 0, "the file kept changing while being updated; try again")


def _check_strings(entries: dict, shown: str) -> None:
    for k, v in entries.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise StoreError(shown, 0, 0, f"keys and values must be strings, got {k!r}: {v!r}")
