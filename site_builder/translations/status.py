"""How far each page's translation is: per page and language, every current key is exactly one of

- **translated**: a valid, non-empty value;
- **invalid**: a value that fails validation (never shown);
- **to review**: no value, but the page's review file (`<path>.review.json`) holds a translation
  carried over from an earlier version of the English (`translations update`); not shown until
  `translations confirm` moves it into the page's file;
- **stale**: no value, but an old key close to it (its English changed) still has a translation;
- **missing**: no value at all (absent or empty).

`obsolete` counts keys in the file that match no note any more (what `prune` removes). Coverage is
translated / total. `coverage(...)` is what the site's status page and `translations status` use.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..notes import NotePreparer
from ..page import SourcePage
from ..structure import page_url
from .keys import PageKey, load_page, page_keys, source_pages
from .merge import CheckedFile, TranslationMerge
from .store import TranslationFile

STALE_RATIO = 0.6  # difflib ratio above which an old key counts as an earlier version of a new one


@dataclass
class Suggestion:
    """A current key with no translation, and the closest old key that has one."""

    key: str
    line: int  # of the English in the source
    old_key: str
    old_value: str
    ratio: float


@dataclass(kw_only=True)
class Counts:
    """Key counts of one page, or summed over a language, and the coverage they make."""

    total: int = 0
    translated: int = 0
    missing: int = 0
    stale: int = 0
    to_review: int = 0
    invalid: int = 0
    obsolete: int = 0

    @property
    def coverage(self) -> float:
        """0.0 … 1.0 (nothing to translate counts as complete)."""
        return self.translated / self.total if self.total else 1.0

    @property
    def percent(self) -> int:
        """Coverage in whole percent, rounded down (100 only when complete)."""
        return int(self.coverage * 100)

    def as_dict(self) -> dict:
        return {**asdict(self), "coverage": round(self.coverage, 4)}


@dataclass
class PageStatus(Counts):
    lang: str
    source: str  # path relative to the source folder, e.g. "conv_mixer/__init__.py"
    url: str  # the page's URL relative to the language's root, e.g. "conv_mixer/index.html"
    file: str  # the translation file as messages name it, e.g. "translations/zh/conv_mixer/__init__.json"
    errors: list[str] = field(default_factory=list)  # file-level problems (e.g. JSON that does not parse)


@dataclass
class Totals(Counts):
    lang: str
    pages: int = 0


@dataclass
class Review:
    """A current key whose carried-over translation waits in the review file."""

    key: str
    line: int  # of the English in the source
    value: str
    old_key: str | None  # the earlier English it was translated from, while the page's file still has it


@dataclass
class PageReport:
    status: PageStatus
    keys: list[PageKey]
    checked: CheckedFile
    suggestions: list[Suggestion]
    obsolete_keys: list[str]
    reviews: list[Review] = field(default_factory=list)
    review_file: TranslationFile | None = None


_WORD = re.compile(r"[^\W_]+")
_MARKUP = re.compile(r"<[^>]*>|_\^_\d+_\^_")
_CANDIDATES = 5  # old keys sharing the most words with a new key; only these are compared in full


def _words(key: str) -> set[str]:
    return set(_WORD.findall(_MARKUP.sub(" ", key).lower()))


class NearMatches:
    """Old keys (with their translations) indexed by the words they contain, so that finding the
    earlier version of a changed note compares it with a handful of candidates, not with every old
    key (a store of thousands of obsolete entries stays linear)."""

    def __init__(self, old: dict[str, str]):
        self.old = list(old.items())
        self.index: dict[str, list[int]] = defaultdict(list)
        for n, (key, _) in enumerate(self.old):
            for word in _words(key):
                self.index[word].append(n)

    def closest(self, key: str) -> tuple[str, str, float] | None:
        """The old key most like `key` (difflib ratio ≥ STALE_RATIO), with its value."""
        shared: Counter[int] = Counter()
        for word in _words(key):
            shared.update(self.index.get(word, ()))
        best: tuple[str, str, float] | None = None
        for n, _ in shared.most_common(_CANDIDATES):
            old, value = self.old[n]
            matcher = difflib.SequenceMatcher(None, key, old, autojunk=False)
            floor = best[2] if best else STALE_RATIO
            if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
                continue
            ratio = matcher.ratio()
            if ratio >= floor and (best is None or ratio > best[2]):
                best = (old, value, ratio)
        return best


class Analyzer:
    """Sources and translations of one project; parses each source once."""

    def __init__(self, source_dir: Path, translations_dir: Path, preparer: NotePreparer | None = None,
                 merge: TranslationMerge | None = None, load: Callable[[str], SourcePage] | None = None):
        """`load(rel)` gives a parsed source (the build passes its engine's, so nothing is parsed twice)."""
        self.source_dir = Path(source_dir)
        self.load = load or (lambda rel: load_page(self.source_dir, rel))
        self.merge = merge or TranslationMerge(Path(translations_dir))
        self.store = self.merge.store
        self.preparer = preparer or NotePreparer()
        self._keys: dict[str, list[PageKey]] = {}

    def sources(self) -> list[str]:
        return source_pages(self.source_dir)

    def keys(self, rel: str) -> list[PageKey]:
        if rel not in self._keys:
            self._keys[rel] = page_keys(self.load(rel), self.preparer)
        return self._keys[rel]

    def report(self, lang: str, rel: str) -> PageReport:
        keys = self.keys(rel)
        _, checked = self.merge.checked(lang, rel)
        file = checked.file
        status = PageStatus(lang, rel, page_url(rel), file.shown, total=len(keys))
        status.errors = [str(p) for p in checked.file_errors]
        review_file = self.store.load_review(lang, rel)
        status.errors += [f"{review_file.shown}:{p.line}: {p.message}" for p in review_file.problems if p.key is None]
        current = {k.key for k in keys}
        old = {k: v for k, v in file.entries.items() if k not in current and v.strip()}
        obsolete = sorted(k for k in [*file.entries, *(p.key for p in file.problems if p.key),
                                      *review_file.entries] if k not in current)
        suggestions, reviews, candidates = [], [], []
        order = {k.key: n for n, k in enumerate(keys)}
        near = NearMatches(old) if old else None
        for k in keys:
            if k.key in checked.translations:
                status.translated += 1
            elif k.key in checked.invalid:
                status.invalid += 1
            elif review_file.entries.get(k.key, "").strip():
                status.to_review += 1
                hit = near.closest(k.key) if near else None
                reviews.append(Review(k.key, k.line, review_file.entries[k.key], hit[0] if hit else None))
            elif near and (hit := near.closest(k.key)):
                candidates.append(Suggestion(k.key, k.line, *hit))
            else:
                status.missing += 1
        # One old translation is the earlier version of at most one new note: the closest one.
        taken: set[str] = set()
        for s in sorted(candidates, key=lambda s: -s.ratio):
            if s.old_key in taken:
                status.missing += 1
                continue
            taken.add(s.old_key)
            status.stale += 1
            suggestions.append(s)
        suggestions.sort(key=lambda s: order[s.key])
        status.obsolete = len(set(obsolete))
        return PageReport(status, keys, checked, suggestions, sorted(set(obsolete)), reviews, review_file)


def coverage(source_dir: Path, translations_dir: Path, languages: list[str], *,
             default_language: str = "en", analyzer: Analyzer | None = None) -> list[PageStatus]:
    """Status of every source page in every language of `languages` except `default_language`,
    grouped by language (in the order given), pages in the site's reading order."""
    analyzer = analyzer or Analyzer(source_dir, translations_dir)
    out = []
    for lang in languages:
        if lang == default_language:
            continue
        out.extend(analyzer.report(lang, rel).status for rel in analyzer.sources())
    return out


def totals(statuses: list[PageStatus]) -> list[Totals]:
    """One line per language, in the order the languages first appear."""
    by_lang: dict[str, Totals] = {}
    for s in statuses:
        t = by_lang.setdefault(s.lang, Totals(s.lang))
        t.pages += 1
        for name in ("total", "translated", "missing", "stale", "to_review", "invalid", "obsolete"):
            setattr(t, name, getattr(t, name) + getattr(s, name))
    return list(by_lang.values())
