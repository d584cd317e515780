"""The engine's hook: for one page and language, the validated translations of its keys.

`TranslationMerge(translations_dir).for_page(lang, rel)` returns a digest (changes whenever the page's
JSON file or the language's glossary changes) and a function key → sanitized translation, or None
when it is missing, empty, a copy of the English, or invalid (the engine then shows the English,
marked as a fallback). A note with nothing to translate (only formulas or code) maps to itself.
Parsed and validated files are cached by content hash, so repeated calls cost one file read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic
from ..normal_form import normalize_key
from .cjk import join_cjk_lines
from .store import DEFAULT_MAX_FILE_BYTES, TranslationFile, TranslationStore
from .validate import Glossary, has_text, is_plain_text_key, load_glossary, validate


def short_key(key: str, width: int = 60) -> str:
    """A key as messages show it: one line, at most `width` characters."""
    one_line = " ".join(key.split())
    return one_line if len(one_line) <= width else one_line[: width - 1] + "…"


@dataclass
class CheckedFile:
    """One translation file, parsed and validated against a glossary."""

    file: TranslationFile
    translations: dict[str, str] = field(default_factory=dict)  # key → sanitized value (valid only)
    invalid: dict[str, str] = field(default_factory=dict)  # key → reason
    empty: set[str] = field(default_factory=set)
    entry_problems: dict[str, list[Diagnostic]] = field(default_factory=dict)  # key → what is wrong with it
    file_errors: list[Diagnostic] = field(default_factory=list)  # the file as a whole (e.g. does not parse)

    @property
    def problems(self) -> list[Diagnostic]:
        return self.file_errors + [d for found in self.entry_problems.values() for d in found]


def check_file(file: TranslationFile, glossary: Glossary) -> CheckedFile:
    checked = CheckedFile(file)

    def entry_problem(key: str, line: int, reason: str) -> None:
        checked.invalid[key] = reason
        checked.entry_problems.setdefault(key, []).append(
            Diagnostic(file.shown, line, f"invalid translation for key '{short_key(key)}': {reason}"))

    for p in file.problems:
        if p.key is not None:
            entry_problem(p.key, p.line, p.message)  # e.g. a duplicate key: neither value is shown
        else:
            column = f" (column {p.column})" if p.line else ""
            checked.file_errors.append(Diagnostic(file.shown, p.line,
                                                  f"{p.message}{column}; the page is shown in English"))
    for key, value in file.entries.items():
        if key in checked.invalid:
            continue
        if value == key and not is_plain_text_key(key) and has_text(key):
            checked.empty.add(key)  # the English copied over: still untranslated
            continue
        verdict = validate(key, value, glossary)
        if verdict.ok:
            checked.translations[key] = join_cjk_lines(verdict.value)  # type: ignore[arg-type]
        elif verdict.empty:
            checked.empty.add(key)
        else:
            entry_problem(key, file.lines.get(key, 0), verdict.reason)
    return checked


class TranslationMerge:
    def __init__(self, translations_dir: Path, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES):
        self.store = TranslationStore(Path(translations_dir), max_file_bytes)
        self._glossaries: dict[str, tuple[str, Glossary, list[Diagnostic]]] = {}
        self._files: dict[tuple[str, str], tuple[str, CheckedFile]] = {}
        self._reported_glossaries: set[tuple[str, str]] = set()

    def glossary(self, lang: str) -> tuple[str, Glossary, list[Diagnostic]]:
        """(digest, glossary, its problems), re-read only when its bytes change."""
        path = self.store.glossary_path(lang)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raw = b""
        digest = hashlib.sha1(raw).hexdigest()
        cached = self._glossaries.get(lang)
        if cached is None or cached[0] != digest:
            glossary = load_glossary(path) if raw else Glossary()
            shown = self.store.shown(path)
            problems = [Diagnostic(shown, p.line, p.message) for p in glossary.problems]
            cached = self._glossaries[lang] = (digest, glossary, problems)
        return cached

    def digest(self, lang: str, rel: str) -> str:
        """Of what the page's translations depend on: its file's bytes and the glossary (no parsing)."""
        g_digest = self.glossary(lang)[0]
        try:
            file_digest = hashlib.sha1(self.store.path_for(lang, rel).read_bytes()).hexdigest()
        except FileNotFoundError:
            file_digest = ""
        return hashlib.sha1(f"{file_digest}:{g_digest}".encode()).hexdigest()

    def checked(self, lang: str, rel: str) -> tuple[str, CheckedFile]:
        """The file validated, re-read and re-checked only when its bytes or the glossary change."""
        _, glossary, _ = self.glossary(lang)
        digest = self.digest(lang, rel)
        cached = self._files.get((lang, rel))
        if cached is None or cached[0] != digest:
            cached = self._files[(lang, rel)] = (digest, check_file(self.store.load(lang, rel), glossary))
        return cached

    def for_page(self, lang: str, rel: str) -> tuple[str, Callable[[str], str | None]]:
        digest, checked = self.checked(lang, rel)
        translations = checked.translations

        def translate(key: str) -> str | None:
            found = translations.get(key)
            if found is None and (normal := normalize_key(key)) != key:
                key, found = normal, translations.get(normal)
            if found is None and key not in checked.invalid and not has_text(key):
                return key  # only formulas or code: the same in every language, never a fallback
            return found

        return digest, translate

    def page_problems(self, lang: str, rel: str, keys: Iterable[str] | None = None) -> list[Diagnostic]:
        """What a reader of the page would meet: file-level errors and invalid entries under `keys`
        (the keys the page uses; None: every entry). Invalid entries no page uses (obsolete keys) are
        left to `translations status`/`check`. A damaged glossary is reported once (with the first
        page asked)."""
        _, checked = self.checked(lang, rel)
        g_digest, _, g_problems = self.glossary(lang)
        out: list[Diagnostic] = []
        if g_problems and (lang, g_digest) not in self._reported_glossaries:
            self._reported_glossaries.add((lang, g_digest))
            out.extend(g_problems)
        if keys is None:
            return out + checked.problems
        used = {normalize_key(k) for k in keys}
        return out + checked.file_errors + [d for key, found in checked.entry_problems.items() if key in used
                                            for d in found]
