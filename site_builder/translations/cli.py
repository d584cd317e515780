"""`python -m site_builder translations ...` (also the `translations` console script).

Reads where the sources and translations live, and which languages the site has, from the
`annotated` plugin's settings in mkdocs.yml.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from .diff import changed_words, diff_ops, word_diff
from .merge import TranslationMerge, short_key
from .status import Analyzer, PageReport, PageStatus, Suggestion, totals
from .store import DEFAULT_MAX_FILE_BYTES, StoreError, read_file
from .validate import validate

DESCRIPTION = """\
Tools for translators. Translations live in one JSON file per source file and language
(translations/<lang>/<path>.json): English note HTML → translated HTML.

commands:
  status    how much of each page is translated, per language; what changed in stale notes
  extract   add every missing key (with an empty value) so you can translate it
  update    carry the translation of each changed note over to its new English, to review
  confirm   make reviewed translations live (and mark an updated guide current)
  check     validate every translation; exits non-zero when one is invalid
  prune     remove keys that no longer match any note
  import    bring in a store written by another tool (pylit layout: DIR/<path>.<lang>.json)

Run `%(prog)s COMMAND --help` for a command's options. The guide is docs/guide/translating.md.
"""


# --- configuration ---------------------------------------------------------------------------------


class _TolerantLoader(yaml.SafeLoader):
    """mkdocs.yml may hold `!!python/name:...` or `!ENV` tags: read them as plain values."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_TolerantLoader.add_multi_constructor("!", _any_tag)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _any_tag)


@dataclass
class Project:
    config_file: Path
    source_dir: Path
    translations_dir: Path
    languages: list[str]  # all of them, the default language first
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES  # the plugin's translation_file_limit_mb
    docs_dir: Path | None = None  # mkdocs' docs_dir: the guides, translated ones under docs/<lang>/

    def __post_init__(self) -> None:
        if self.docs_dir is None:
            self.docs_dir = self.root / "docs"

    @property
    def root(self) -> Path:
        """The folder of mkdocs.yml."""
        return self.config_file.resolve().parent

    @property
    def targets(self) -> list[str]:
        """Languages to translate into: the configured ones after the default, else the store's folders."""
        configured = self.languages[1:]
        if configured:
            return configured
        if self.translations_dir.is_dir():
            return sorted(p.name for p in self.translations_dir.iterdir()
                          if p.is_dir() and not p.name.startswith("."))
        return []


def load_project(config_file: Path) -> Project:
    """The `annotated` plugin's settings (paths relative to mkdocs.yml)."""
    try:
        data = yaml.load(config_file.read_text("utf-8"), Loader=_TolerantLoader) or {}
    except FileNotFoundError:
        raise SystemExit(f"error: {config_file} not found (use --config PATH to point at mkdocs.yml)"
                         ) from None
    except yaml.YAMLError as e:
        raise SystemExit(f"error: {config_file} is not valid YAML: {e}") from None
    settings: dict = {}
    plugins = data.get("plugins") or []
    if isinstance(plugins, dict):
        plugins = [{k: v} for k, v in plugins.items()]
    for plugin in plugins:
        if plugin == "annotated":
            break
        if isinstance(plugin, dict) and "annotated" in plugin:
            settings = plugin["annotated"] or {}
            break
    else:
        raise SystemExit(f"error: {config_file} does not use the 'annotated' plugin")
    root = config_file.resolve().parent
    languages = [str(lang) for lang in settings.get("languages") or ["en"]]
    limit_mb = float(settings.get("translation_file_limit_mb") or DEFAULT_MAX_FILE_BYTES / 2**20)
    return Project(config_file, root / str(settings.get("source_dir", "labml_nn")),
                   root / str(settings.get("translations_dir") or "translations"), languages, int(limit_mb * 2**20),
                   docs_dir=root / str(data.get("docs_dir") or "docs"))


# --- helpers ------------------------------------------------------------------------------------


def _progress(items: list, desc: str) -> Iterable:
    """A progress bar on a terminal for long runs; nothing when output is piped."""
    if len(items) < 20:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="page", leave=False, disable=None, file=sys.stderr)


def _reports(analyzer: Analyzer, lang: str) -> list[PageReport]:
    return [analyzer.report(lang, rel) for rel in _progress(analyzer.sources(), f"reading {lang}")]


def _languages(args, project: Project) -> list[str]:
    langs = args.lang or project.targets
    if not langs:
        raise SystemExit("error: no language to work on: list them in mkdocs.yml (annotated: languages: "
                         "[en, zh, ja]) or pass --lang")
    default = project.languages[0]
    if default in langs:
        raise SystemExit(f"error: '{default}' is the source language; it has no translations")
    configured = project.languages[1:]
    unknown = [lang for lang in langs if configured and lang not in configured]
    if unknown:
        print(f"error: language {', '.join(repr(u) for u in unknown)} is not configured; "
              f"{project.config_file.name} lists {', '.join(configured)} (annotated: languages)", file=sys.stderr)
        raise SystemExit(2)
    return langs


def _color(stream=None) -> bool:
    """Terminal colours for diffs: only on a terminal, and never with NO_COLOR set."""
    stream = stream or sys.stdout
    return hasattr(stream, "isatty") and stream.isatty() and not os.environ.get("NO_COLOR") \
        and os.environ.get("TERM") != "dumb"


def _similarity(ratio: float) -> str:
    """Rounded down, so a changed note never reads 1.00."""
    return f"{math.floor(ratio * 100) / 100:.2f}"


def stale_message(where: str, s: Suggestion, color: bool, advice: str) -> str:
    """A stale note: what changed in its English (word diff) and the old translation."""
    words = changed_words(diff_ops(s.old_key, s.key))
    return (f"{where}: stale: the English changed ({words} word{'s' if words != 1 else ''}, similarity "
            f"{_similarity(s.ratio)}){advice}:\n"
            f"    English:         {word_diff(s.old_key, s.key, color=color)}\n"
            f"    old translation: {json.dumps(s.old_value, ensure_ascii=False)}")


def _bar(fraction: float, width: int = 10) -> str:
    filled = int(round(fraction * width))
    return "█" * filled + "░" * (width - filled)


# --- commands -------------------------------------------------------------------------------------


def cmd_status(args, project: Project, analyzer: Analyzer) -> int:
    from .guides import guide_statuses

    reports: list[PageReport] = []
    langs = _languages(args, project)
    for lang in langs:
        reports += _reports(analyzer, lang)
    statuses: list[PageStatus] = [r.status for r in reports]
    sums = totals(statuses)
    guides = guide_statuses(project.docs_dir, langs)
    if args.json:
        notes = [{"lang": r.status.lang, "file": r.status.file, "source": r.status.source, "line": s.line,
                  "key": s.key, "old_key": s.old_key, "old_translation": s.old_value,
                  "similarity": round(s.ratio, 4), "diff": word_diff(s.old_key, s.key, context=None)}
                 for r in reports for s in r.suggestions]
        reviews = [{"lang": r.status.lang, "file": r.review_file.shown, "source": r.status.source, "line": v.line,
                    "key": v.key, "translation": v.value}
                   for r in reports if r.review_file for v in r.reviews]
        json.dump({"pages": [s.as_dict() for s in statuses], "totals": [t.as_dict() for t in sums],
                   "stale_notes": notes, "to_review": reviews, "guides": [g.as_dict() for g in guides]},
                  sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    cols = ("translated", "missing", "stale", "to_review", "invalid", "obsolete")
    width = max([len(s.source) for s in statuses] + [len("page")])
    for t in sums:
        print(f"\n{t.lang}  ({project.translations_dir.name}/{t.lang}/)")
        print(f"{'page':<{width}}  " + "  ".join(f"{c.replace('_', ' '):>10}" for c in cols) + "  coverage")
        for s in (s for s in statuses if s.lang == t.lang):
            flag = "  ! " + "; ".join(s.errors) if s.errors else ""
            print(f"{s.source:<{width}}  " + "  ".join(f"{getattr(s, c):>10}" for c in cols)
                  + f"  {s.percent:>3}% {_bar(s.coverage)}{flag}")
        print(f"{'total (' + str(t.pages) + ' pages)':<{width}}  "
              + "  ".join(f"{getattr(t, c):>10}" for c in cols) + f"  {t.percent:>3}% {_bar(t.coverage)}")
        for g in (g for g in guides if g.lang == t.lang):
            print(f"guide {g.file}: " + _guide_state(g, project))
    color = _color()
    stale = [(r, s) for r in reports for s in r.suggestions]
    if stale:
        print(f"\nStale notes: the English changed since they were translated ({len(stale)}; "
              "`translations update` carries their translations over for review)")
        for r, s in stale:
            print(stale_message(f"{r.status.file} ({project.source_dir.name}/{r.status.source}:{s.line})", s,
                                color, ""))
    waiting = [(r, v) for r in reports for v in r.reviews]
    if waiting:
        print(f"\nTo review: translations carried over to a changed note ({len(waiting)}; edit them in the "
              "review file, then `translations confirm`)")
        for r, v in waiting:
            line = r.review_file.lines.get(v.key, 0) if r.review_file else 0
            print(f"{r.review_file.shown if r.review_file else r.status.file}:{line}: to review:")
            if v.old_key:
                print(f"    English:     {word_diff(v.old_key, v.key, color=color)}")
            else:
                print(f"    English:     {json.dumps(short_key(v.key, 100), ensure_ascii=False)}")
            print(f"    translation: {json.dumps(v.value, ensure_ascii=False)}")
    print()
    for t in sums:
        mine = [g for g in guides if g.lang == t.lang]
        guide_counts = ""
        if mine:
            counts = {state: sum(g.state == state for g in mine) for state in ("current", "stale", "untracked")}
            guide_counts = "; guides: " + ", ".join(f"{n} {state}" for state, n in counts.items()
                                                     if n or state != "untracked")
        print(f"{t.lang}: {t.translated} of {t.total} translated ({t.coverage:.1%}), {t.missing} missing, "
              f"{t.stale} stale, {t.to_review} to review, {t.invalid} invalid, {t.obsolete} obsolete{guide_counts}")
    return 0


def _guide_state(g, project: Project) -> str:
    from .guides import FIELD, english_commit

    confirm = f"translations confirm --lang {g.lang} {g.file}"
    if g.state == "current":
        return "current"
    if g.state == "untracked":
        return (f"untracked (no {FIELD} in its front matter): compare it with {project.docs_dir.name}/{g.guide}; "
                f"when it says the same, run `{confirm}`")
    commit = english_commit(project.docs_dir, g.guide, g.recorded or "")
    seen = f" (what changed: git diff {commit[:10]} -- {project.docs_dir.name}/{g.guide})" if commit else ""
    return (f"STALE: translated from English {g.recorded}, the English is now {g.english}{seen}; "
            f"bring it up to date, then run `{confirm}`")


def cmd_extract(args, project: Project, analyzer: Analyzer) -> int:
    failed = False
    color = _color()
    for lang in _languages(args, project):
        added_keys = files = suggested = 0
        for report in _reports(analyzer, lang):
            wanted = [k.key for k in report.keys]
            if not wanted:
                continue
            shown = report.status.file
            added: list[str] = []

            def add_missing(entries: dict[str, str], wanted=wanted, added=added) -> dict[str, str] | None:
                added[:] = [k for k in wanted if k not in entries]
                if not added:
                    return None
                return {**entries, **dict.fromkeys(added, "")}

            try:
                written = analyzer.store.update(lang, report.status.source, add_missing, dry_run=args.dry_run)
            except StoreError as e:
                print(f"error: {e}", file=sys.stderr)
                failed = True
                continue
            if written:
                files += 1
                added_keys += len(added)
                verb = "would add" if args.dry_run else "added"
                print(f"{shown}: {verb} {len(added)} key{'s' if len(added) != 1 else ''}")
            lines = {} if args.dry_run else analyzer.store.load(lang, report.status.source).lines
            for s in report.suggestions:
                suggested += 1
                at = f":{lines[s.key]}" if s.key in lines else ""
                print(stale_message(f"{shown}{at}", s, color, "; update the old translation rather than start "
                                                              "over (`translations update` carries it over)"))
        verb = "would add" if args.dry_run else "added"
        print(f"extract {lang}: {verb} {added_keys} key{'s' if added_keys != 1 else ''} in {files} "
              f"file{'s' if files != 1 else ''}; {suggested} stale key{'s' if suggested != 1 else ''} "
              f"with a suggestion")
    return 1 if failed else 0


def cmd_update(args, project: Project, analyzer: Analyzer) -> int:
    """Carry each stale note's old translation over to its new English, into the page's review file."""
    failed = False
    color = _color()
    verb = "would carry" if args.dry_run else "carried"
    for lang in _languages(args, project):
        carried_total = files = 0
        for report in _reports(analyzer, lang):
            carry = {s.key: s.old_value for s in report.suggestions if s.ratio >= args.min_similarity}
            if not carry:
                continue

            def add(entries: dict[str, str], carry=carry) -> dict[str, str] | None:
                new = {k: v for k, v in carry.items() if not entries.get(k, "").strip()}
                return {**entries, **new} if new else None

            try:
                written = analyzer.store.update(lang, report.status.source, add, dry_run=args.dry_run, review=True)
            except StoreError as e:
                print(f"error: {e}", file=sys.stderr)
                failed = True
                continue
            if not written:
                continue
            files += 1
            shown = analyzer.store.shown(analyzer.store.review_path(lang, report.status.source))
            lines = {} if args.dry_run else analyzer.store.load_review(lang, report.status.source).lines
            for s in report.suggestions:
                if s.key in carry:
                    carried_total += 1
                    at = f":{lines[s.key]}" if s.key in lines else ""
                    print(f"{shown}{at}: {verb} (similarity {_similarity(s.ratio)}), to review:\n"
                          f"    English:     {word_diff(s.old_key, s.key, color=color)}\n"
                          f"    translation: {json.dumps(s.old_value, ensure_ascii=False)}")
        print(f"update {lang}: {verb} {carried_total} translation{'s' if carried_total != 1 else ''} into "
              f"{files} review file{'s' if files != 1 else ''}"
              + ("; edit what changed there, then run `translations confirm`" if carried_total else ""))
    return 1 if failed else 0


def _resolve_pages(args, project: Project, analyzer: Analyzer, lang: str) -> tuple[list[str], list[Path]]:
    """PAGE arguments → (source pages, translated guides). A page is named by its source
    (labml_nn/x/y.py, or x/y.py inside the source folder), its translation or review file, or for a
    guide by its translated markdown file (docs/zh/guide/x.md)."""
    sources = set(analyzer.sources())
    pages: list[str] = []
    guides: list[Path] = []
    store = analyzer.store
    for given in args.pages:
        path = Path(given)
        candidates = [path.resolve(), (project.root / path).resolve()]
        found = None
        for c in candidates:
            for base, kind in ((project.source_dir, "source"), (store.root / lang, "store"),
                               (project.docs_dir / lang, "guide")):
                try:
                    rel = c.relative_to(base.resolve()).as_posix()
                except ValueError:
                    continue
                found = (kind, rel)
                break
            if found:
                break
        if found is None and given in sources:
            found = ("source", given)
        if found is None:
            raise SystemExit(f"error: {given}: not a source page, a translation file of '{lang}' or a "
                             f"translated guide in {project.docs_dir.name}/{lang}/")
        kind, rel = found
        if kind == "guide":
            guides.append(project.docs_dir / lang / rel)
            continue
        if kind == "store":
            stem = rel.removesuffix(".review.json").removesuffix(".json")
            matches = [src for src in sources if store.relative_json(src) == stem + ".json"]
            if not matches:
                raise SystemExit(f"error: {given}: no source page has this translation file")
            rel = matches[0]
        if rel not in sources:
            raise SystemExit(f"error: {given}: not a page of {project.source_dir.name}/")
        pages.append(rel)
    return pages, guides


def cmd_confirm(args, project: Project, analyzer: Analyzer) -> int:
    """Move reviewed translations from the review files into the page files (where the build reads
    them); a translated guide named on the command line is marked as made from the current English."""
    from .guides import confirm_guide

    failed = False
    verb = "would confirm" if args.dry_run else "confirmed"
    for lang in _languages(args, project):
        _, glossary, _ = analyzer.merge.glossary(lang)
        if args.pages:
            pages, guides = _resolve_pages(args, project, analyzer, lang)
        else:
            stems = {analyzer.store.relative_json(src): src for src in analyzer.sources()}
            pages = [stems[r.removesuffix(".review.json") + ".json"] for r in analyzer.store.review_files(lang)
                     if r.removesuffix(".review.json") + ".json" in stems]
            guides = []
        moved_total = kept_total = 0
        for rel in pages:
            review = analyzer.store.load_review(lang, rel)
            if not review.exists:
                continue
            current = {k.key for k in analyzer.keys(rel)}
            main = analyzer.store.load(lang, rel).entries
            move: dict[str, str] = {}
            done: set[str] = set()
            for key, value in review.entries.items():
                where = f"{review.shown}:{review.lines.get(key, 0)}: {json.dumps(short_key(key), ensure_ascii=False)}"
                if not value.strip():
                    kept_total += 1
                    continue
                if key not in current:
                    print(f"{where}: no note has this English any more; left in review (`prune` removes it)")
                    kept_total += 1
                    continue
                if main.get(key) == value:
                    done.add(key)
                    continue
                if main.get(key, "").strip() and validate(key, main[key], glossary).ok:
                    print(f"{where}: the page's file already has another valid translation; left in review "
                          "(keep one: edit or delete the other)")
                    kept_total += 1
                    failed = True
                    continue
                verdict = validate(key, value, glossary)
                if not verdict.ok:
                    print(f"{where}: not confirmed: {verdict.reason}")
                    kept_total += 1
                    failed = True
                    continue
                move[key] = value
            if move:
                try:
                    analyzer.store.update(lang, rel, lambda e, move=move: {**e, **move}, dry_run=args.dry_run)
                except StoreError as e:
                    print(f"error: {e}", file=sys.stderr)
                    failed = True
                    continue
            gone = set(move) | done
            if gone:
                try:
                    analyzer.store.update(lang, rel, lambda e, gone=gone: {k: v for k, v in e.items()
                                                                           if k not in gone},
                                          dry_run=args.dry_run, review=True)
                except StoreError as e:
                    print(f"error: {e}", file=sys.stderr)
                    failed = True
                    continue
            if move:
                shown = analyzer.store.shown(analyzer.store.path_for(lang, rel))
                print(f"{shown}: {verb} {len(move)} translation{'s' if len(move) != 1 else ''} from {review.shown}")
            moved_total += len(move)
        for guide in guides:
            try:
                message = confirm_guide(guide, project.docs_dir, lang, dry_run=args.dry_run)
            except ValueError as e:
                print(f"error: {e}", file=sys.stderr)
                failed = True
                continue
            print(message)
        print(f"confirm {lang}: {verb} {moved_total} translation{'s' if moved_total != 1 else ''}; "
              f"{kept_total} left in review" + (f"; {len(guides)} guide{'s' if len(guides) != 1 else ''}"
                                                if guides else ""))
    return 1 if failed else 0


def cmd_check(args, project: Project, analyzer: Analyzer) -> int:
    bad = 0
    sources = {analyzer.store.relative_json(rel): rel for rel in analyzer.sources()}
    for lang in _languages(args, project):
        _, _, g_problems = analyzer.merge.glossary(lang)
        for p in g_problems:
            print(str(p))
            bad += 1
        entries = invalid = 0
        for rel_json in _progress(analyzer.store.files(lang), f"checking {lang}"):
            rel = sources.get(rel_json, rel_json)
            _, checked = analyzer.merge.checked(lang, rel)
            if rel_json not in sources:
                print(f"{checked.file.shown}: warning: no source file for it "
                      "(was the source moved or removed?)", file=sys.stderr)
            for p in checked.file_errors:
                print(str(p))
                bad += 1
            entries += len(checked.file.entries)
            for key, reason in checked.invalid.items():
                # The line the build reports: for a duplicate key, the second one (the message names the first).
                found = checked.entry_problems.get(key)
                line = found[0].line if found else checked.file.lines.get(key, 0)
                where = f"{checked.file.shown}:{line}" if line else checked.file.shown
                print(f"{where}: {json.dumps(short_key(key), ensure_ascii=False)}: {reason}")
                invalid += 1
        reviewed = 0
        for rel_review in analyzer.store.review_files(lang):
            rel = sources.get(rel_review.removesuffix(".review.json") + ".json")
            path = analyzer.store.root / lang / rel_review
            review = read_file(path, analyzer.store.shown(path), analyzer.store.max_file_bytes)
            for p in review.problems:
                print(f"{review.shown}:{p.line}: {p.message}")
                bad += 1
            if rel is None:
                print(f"{review.shown}: warning: no source file for it", file=sys.stderr)
            for key, value in review.entries.items():
                reviewed += 1
                verdict = validate(key, value, analyzer.merge.glossary(lang)[1])
                if verdict.invalid:
                    at = f"{review.shown}:{review.lines.get(key, 0)}"
                    print(f"{at}: {json.dumps(short_key(key), ensure_ascii=False)}: {verdict.reason}")
                    invalid += 1
        bad += invalid
        print(f"check {lang}: {entries} entr{'ies' if entries != 1 else 'y'}"
              + (f" and {reviewed} to review" if reviewed else "") + f", {invalid} invalid", file=sys.stderr)
    return 1 if bad else 0


def cmd_prune(args, project: Project, analyzer: Analyzer) -> int:
    failed = False
    sources = {analyzer.store.relative_json(rel) for rel in analyzer.sources()}
    for lang in _languages(args, project):
        removed_total = 0
        for report in _reports(analyzer, lang):
            if not report.checked.file.exists and not (report.review_file and report.review_file.exists):
                continue
            current = {k.key for k in report.keys}
            removed: list[tuple[str, str]] = []

            def drop(entries: dict[str, str], current=current, removed=removed) -> dict[str, str] | None:
                removed[:] = [(k, v) for k, v in entries.items() if k not in current]
                if not removed:
                    return None
                return {k: v for k, v in entries.items() if k in current}

            try:
                analyzer.store.update(lang, report.status.source, drop, dry_run=args.dry_run)
            except StoreError as e:
                print(f"error: {e}", file=sys.stderr)
                failed = True
                continue
            verb = "would remove" if args.dry_run else "removed"
            for key, value in sorted(removed):
                note = " (it had a translation)" if value.strip() else ""
                print(f"{report.status.file}: {verb} {json.dumps(short_key(key), ensure_ascii=False)}{note}")
            removed_total += len(removed)
            if report.review_file and report.review_file.exists:
                review_removed: list[tuple[str, str]] = []
                try:
                    analyzer.store.update(lang, report.status.source,
                                          lambda e, current=current, out=review_removed: _drop(e, current, out),
                                          dry_run=args.dry_run, review=True)
                except StoreError as e:
                    print(f"error: {e}", file=sys.stderr)
                    failed = True
                    continue
                for key, _ in sorted(review_removed):
                    print(f"{report.review_file.shown}: {verb} {json.dumps(short_key(key), ensure_ascii=False)}")
                removed_total += len(review_removed)
        for rel_json in analyzer.store.files(lang):
            if rel_json not in sources:
                shown = analyzer.store.shown(analyzer.store.root / lang / rel_json)
                print(f"{shown}: no source file for it; left as is (delete it if its source was removed)",
                      file=sys.stderr)
        verb = "would remove" if args.dry_run else "removed"
        print(f"prune {lang}: {verb} {removed_total} key{'s' if removed_total != 1 else ''}")
    return 1 if failed else 0


def _drop(entries: dict[str, str], current: set[str], removed: list) -> dict[str, str] | None:
    removed[:] = [(k, v) for k, v in entries.items() if k not in current]
    return {k: v for k, v in entries.items() if k in current} if removed else None


def cmd_import(args, project: Project, analyzer: Analyzer) -> int:
    from collections import Counter

    from .importer import category, find_files, plan_file

    root: Path = args.dir
    if not root.is_dir():
        print(f"error: {root} is not a folder", file=sys.stderr)
        return 2
    langs = _languages(args, project)
    failed = False
    files = find_files(root, analyzer.sources())
    for lang in langs:
        counts: Counter[str] = Counter()
        refused: Counter[str] = Counter()
        repairs: Counter[str] = Counter()
        orphans = []
        _, glossary, _ = analyzer.merge.glossary(lang)
        for file in (f for f in files if f.lang == lang):
            if file.source is None:
                orphans.append(file.shown)
                continue
            existing = analyzer.store.load(lang, file.source).entries
            current = {k.key for k in analyzer.keys(file.source)}
            plan = plan_file(file, current, existing, glossary, overwrite=args.overwrite,
                             keep_unused=args.keep_unused)
            for p in plan.problems:
                print(f"{file.shown}:{p.line}:{p.column}: {p.message}; file not imported", file=sys.stderr)
                failed = True
            for o in plan.outcomes:
                counts[o.action] += 1
                if o.action == "refused":
                    refused[category(o.reason)] += 1
                    print(f"{file.shown}:{o.line}: refused {json.dumps(short_key(o.key), ensure_ascii=False)}: "
                          f"{o.reason}")
                elif o.repairs and o.action in ("imported", "kept", "same"):
                    repairs.update(o.repairs)
                    if args.verbose:
                        print(f"{file.shown}:{o.line}: repaired ({', '.join(o.repairs)})")
            new = plan.imported()
            if not new:
                continue
            try:
                analyzer.store.update(lang, file.source, lambda entries, new=new: {**entries, **new},
                                      dry_run=args.dry_run)
            except StoreError as e:
                print(f"error: {e}", file=sys.stderr)
                failed = True
        for shown in orphans:
            print(f"{shown}: no source file for it in {project.source_dir.name}/; not imported", file=sys.stderr)
        verb = "would import" if args.dry_run else "imported"
        print(f"import {lang}: {verb} {counts['imported']}; {counts['same']} already there; "
              f"{counts['kept']} kept (a different translation exists; --overwrite replaces it); "
              f"{counts['unused']} unused (no current note has that English; --keep-unused imports them); "
              f"{counts['empty']} empty; {len(orphans)} file{'s' if len(orphans) != 1 else ''} without a source")
        if repairs:
            print("  repaired: " + ", ".join(f"{n} {what}" for what, n in repairs.most_common()))
        if refused:
            print(f"  refused {sum(refused.values())}: " + ", ".join(f"{n} {why}" for why, n in refused.most_common()))
    return 1 if failed else 0


# --- the parser -----------------------------------------------------------------------------------


def build_parser(prog: str = "translations") -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS, metavar="PATH",
                        help="the site's mkdocs.yml (default: ./mkdocs.yml)")
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION, parents=[common],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("status", parents=[common], help="coverage per page and language",
                       description="A table per language: for each page, how many keys are translated, "
                                   "missing, stale (the English changed), invalid, and obsolete; with totals "
                                   "and % coverage.")
    p.add_argument("--lang", action="append", metavar="L", help="only this language (repeatable)")
    p.add_argument("--json", action="store_true", help="print JSON for machines instead of a table")
    p.set_defaults(run=cmd_status)

    p = sub.add_parser("extract", parents=[common], help="add missing keys with empty values",
                       description="Add every key the current sources have and the translation file lacks, "
                                   "with an empty value (empty = untranslated). Everything already in the "
                                   "file is kept. For a key whose English changed, shows the closest old key "
                                   "and its translation, so you can update rather than rewrite it.")
    p.add_argument("--lang", action="append", metavar="L", required=True, help="the language (repeatable)")
    p.add_argument("--dry-run", action="store_true", help="show what would be added; write nothing")
    p.set_defaults(run=cmd_extract)

    p = sub.add_parser("update", parents=[common], help="carry translations over to changed notes, to review",
                       description="For each stale note (its English changed and the old English still has a "
                                   "translation), write the old translation under the new English into the "
                                   "page's review file, translations/<lang>/<path>.review.json, and show what "
                                   "changed. The build does not use review files: the note stays in English "
                                   "until you edit the carried translation there and run `confirm`.")
    p.add_argument("--lang", action="append", metavar="L", required=True, help="the language (repeatable)")
    p.add_argument("--min-similarity", type=float, default=0.6, metavar="R",
                   help="carry only when the old English is at least this close (difflib ratio; default 0.6)")
    p.add_argument("--dry-run", action="store_true", help="show what would be carried; write nothing")
    p.set_defaults(run=cmd_update)

    p = sub.add_parser("confirm", parents=[common], help="make reviewed translations live",
                       description="Move the translations of the review files (all of them, or of the PAGEs "
                                   "named) into the pages' translation files, where the build shows them. "
                                   "Each must pass `check`'s rules; one that does not stays in review and is "
                                   "reported (exit status 1). Naming a translated guide (docs/<lang>/....md) "
                                   "records that it now follows the current English guide.")
    p.add_argument("pages", nargs="*", metavar="PAGE",
                   help="a source page (labml_nn/x.py), its translation or review file, or a translated guide")
    p.add_argument("--lang", action="append", metavar="L", required=True, help="the language (repeatable)")
    p.add_argument("--dry-run", action="store_true", help="show what would be confirmed; write nothing")
    p.set_defaults(run=cmd_confirm)

    p = sub.add_parser("check", parents=[common], help="validate translations (non-zero exit if invalid)",
                       description="Validate every translated value: placeholders, links, well-formed and "
                                   "safe HTML, the glossary. Prints `file:line: key: reason` for each "
                                   "invalid entry and exits with status 1 if there is any.")
    p.add_argument("--lang", action="append", metavar="L", help="only this language (repeatable)")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("prune", parents=[common], help="remove keys that match no note any more",
                       description="Remove keys that no longer match any note (or the title or summary) of "
                                   "their page, printing each one. Run `extract` first to see stale "
                                   "translations you may want to reuse.")
    p.add_argument("--lang", action="append", metavar="L", required=True, help="the language (repeatable)")
    p.add_argument("--dry-run", action="store_true", help="show what would be removed; write nothing")
    p.set_defaults(run=cmd_prune)

    p = sub.add_parser("import", parents=[common], help="bring in a store written by another tool",
                       description="Read a store in pylit's layout (DIR/<path>.<lang>.json, e.g. nn.labml.ai's "
                                   "translate_cache/) and merge it into translations/<lang>/<path>.json for the "
                                   "configured languages. Keys are normalised; harmless artefacts (a '。' after "
                                   "</p>, whitespace) are repaired and counted; entries that fail validation "
                                   "(nested links, lost placeholders, unsafe HTML, glossary) are refused with a "
                                   "reason. An existing translation is never overwritten unless --overwrite.")
    p.add_argument("dir", type=Path, metavar="DIR", help="the other tool's store, e.g. translate_cache")
    p.add_argument("--lang", action="append", metavar="L", help="only this language (repeatable)")
    p.add_argument("--overwrite", action="store_true", help="replace translations that already exist")
    p.add_argument("--keep-unused", action="store_true",
                   help="also import entries whose English no current note has (they count as obsolete)")
    p.add_argument("--dry-run", action="store_true", help="show the numbers; write nothing")
    p.add_argument("--verbose", "-v", action="store_true", help="list every repair")
    p.set_defaults(run=cmd_import)
    return parser


def main(argv: list[str] | None = None, prog: str = "translations") -> int:
    args = build_parser(prog).parse_args(argv)
    project = load_project(getattr(args, "config", None) or Path("mkdocs.yml"))
    if not project.source_dir.is_dir():
        print(f"error: source folder {project.source_dir} not found (from {project.config_file})",
              file=sys.stderr)
        return 2
    analyzer = Analyzer(project.source_dir, project.translations_dir,
                        merge=TranslationMerge(project.translations_dir, project.max_file_bytes))
    try:
        return args.run(args, project, analyzer)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
