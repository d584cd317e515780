"""Parsed page + prepared notes + rendered math → rows of HTML ready for the page template.

Pure: given the same inputs it returns the same rows. The only outside helper is the math
renderer, passed in, which renders a whole page's formulas in one batch.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from urllib.parse import urlsplit

from .assets import formula_fonts
from .diagnostics import Diagnostic
from .highlight import highlight_file, highlight_snippets
from .normal_form import normalize_key
from .notes import NotePreparer, PreparedNote, anchor_ids, fill, link_targets, render_piece
from .page import SourcePage
from .rendered import RenderedPage, RenderedRow

# (note key) → translated HTML, or None to keep English. Set by the translation merge.
Translate = Callable[[str], str | None]


def _sanitize(html: str) -> str:
    from .translations.validate import sanitize  # (nh3: imported only by sites that sanitize notes)

    return sanitize(html)


def _safe_src(src: str) -> bool:
    return urlsplit(src.strip()).scheme.lower() in ("", "http", "https")


def _offset_of(note: str, target: str) -> int:
    """The line (0-based) of the note where a link target is written (0 when it is not written out)."""
    for needle in (target, target.removeprefix("mailto:"), escape(target, quote=False)):
        at = note.find(needle)
        if at >= 0:
            return note.count("\n", 0, at)
    return 0


@dataclass
class PageJob:
    """A page whose notes are prepared and whose math is being rendered (by Node, meanwhile)."""

    page: SourcePage
    prepared: list[PreparedNote]
    math_results: Callable[[], list]
    inline_code: list[str] | None = None  # `inline_code_html(prepared)`, when made already


def inline_code_html(prepared: list[PreparedNote]) -> list[str]:
    """The highlighted HTML of every inline code piece of the notes, in order."""
    return highlight_snippets([p.text for note in prepared for p in note.pieces if p.kind == "code"])


def start_page(page: SourcePage, preparer: NotePreparer, math) -> PageJob:
    """Prepare the notes and send the page's formulas off to be rendered."""
    prepared = [preparer.prepare(row.note) for row in page.rows]
    math_items = [(p.text, p.kind == "display_math") for note in prepared for p in note.pieces
                  if p.kind in ("math", "display_math")]
    return PageJob(page, prepared, math.submit(math_items) if math_items else list)


def render_page(page: SourcePage, preparer: NotePreparer, math, **options) -> RenderedPage:
    """Render every row of `page` (see `finish_page` for the options)."""
    return finish_page(start_page(page, preparer, math), **options)


def finish_page(
    job: PageJob,
    *,
    lang: str = "en",
    translate: Translate | None = None,
    image_exists: Callable[[str], bool] | None = None,
    image_size: Callable[[str], tuple[int, int] | None] | None = None,
    highlighted: list[str] | None = None,
    rewrite_links: Callable[[str], str] | None = None,
    sanitize: bool = False,
) -> RenderedPage:
    """Highlight the code (unless `highlighted` lines are given), collect the math, merge translations.
    `translate` maps a note key to its translation (or None to keep English); `rewrite_links` adjusts
    the links of a finished note (e.g. a folder link to its index page). Author notes are trusted HTML;
    `sanitize` passes them through the translations' allowlist instead (sites taking outside
    contributions)."""
    page, prepared = job.page, job.prepared
    problems: list[Diagnostic] = list(page.diagnostics)
    if highlighted is None:
        highlighted = highlight_file(page.text) if page.language == "python" else []
    inline_code = iter(job.inline_code if job.inline_code is not None else inline_code_html(prepared))
    math_results = iter(job.math_results())

    rows: list[RenderedRow] = []
    links: list[tuple[str, int]] = []
    ids: set[str] = set()
    fallbacks = 0
    notes_total = 0
    keys: list[str] = []
    fonts: set[str] = set()
    for row, note in zip(page.rows, prepared, strict=True):
        for offset, message in note.problems:
            problems.append(Diagnostic(page.path, row.source_line(offset), message))
        rendered_pieces = []
        for piece in note.pieces:
            if piece.kind in ("math", "display_math"):
                result = next(math_results)
                if result.html:
                    fonts.update(formula_fonts(result.html))
                if result.error:
                    problems.append(Diagnostic(page.path, row.source_line(piece.line),
                                               f"invalid LaTeX: {result.error}"))
                rendered_pieces.append(render_piece(piece, result.html, result.error))
            elif piece.kind == "code":
                rendered_pieces.append(render_piece(piece, code_html=next(inline_code)))
            else:
                if piece.kind == "image" and image_exists and not image_exists(piece.text):
                    problems.append(Diagnostic(page.path, row.source_line(piece.line),
                                               f"missing image '{piece.text}'"))
                alt, title, alt_lang = _image_text(piece, translate, keys, lang)
                if sanitize and piece.kind == "image" and not _safe_src(piece.text):
                    rendered_pieces.append(escape(piece.alt if alt is None else alt))
                else:
                    size = image_size(piece.text) if image_size and piece.kind == "image" else None
                    rendered_pieces.append(render_piece(piece, alt=alt, title=title, lang=alt_lang, size=size))
        html = _sanitize(note.key) if sanitize else note.key  # translations are sanitized already
        fallback = False
        if note.key.strip():
            notes_total += 1
            keys.append(note.key)
            if translate is not None:
                translated = translate(note.key)
                if translated is None:
                    fallback = True
                    fallbacks += 1
                else:
                    html = translated
        note_html = fill(html, rendered_pieces)
        if rewrite_links is not None:
            note_html = rewrite_links(note_html)
        for target in link_targets(note.key):
            links.append((target, row.source_line(_offset_of(row.note, target))))
        ids.add(row.id)
        ids.update(anchor_ids(note.key))
        code = "\n".join(highlighted[n - 1] for n in row.lines) if page.language == "python" else ""
        rows.append(RenderedRow(row.id, row.kind, note_html, code, row.lines[0] if row.lines else None,
                                fallback, list(row.lines) if code else []))
    meta = page.meta
    title = meta.title or posixpath.basename(page.path)
    summary = meta.summary
    keys += [text for text in (title, summary) if text]
    if translate is not None:
        title = translate(title) or title
        summary = (translate(summary) or summary) if summary else summary
    return RenderedPage(
        source=page.path, lang=lang, title=title,
        summary=summary, paper_url=meta.paper_url, redirect=meta.redirect, rows=rows,
        diagnostics=problems, links=links, ids=ids, notes_total=notes_total, notes_fallback=fallbacks, keys=keys,
        katex_fonts=sorted(fonts),
    )


def _image_text(piece, translate: Translate | None, keys: list[str],
                page_lang: str) -> tuple[str | None, str | None, str | None]:
    """An image's alt text and title in the page's language, as (alt, title, lang): None keeps the source's.
    On a translated page `lang` says the alt text's language: "en" while it has no translation (screen readers
    then read it with an English voice), else the page's (right even inside a note shown in English).
    Records the image's keys in `keys`."""
    if piece.kind != "image":
        return None, None, None
    alt_key, title_key = normalize_key(piece.alt), normalize_key(piece.title or "")
    keys += [key for key in (alt_key, title_key) if key]
    if translate is None:
        return None, None, None
    alt = translate(alt_key) if alt_key else None
    title = translate(title_key) if title_key else None
    return alt, title, ("en" if alt is None else page_lang) if alt_key else None


def failure_message(error: BaseException) -> str:
    """What went wrong, in one line: the exception's type and the start of its message."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:200]}" if text else type(error).__name__


def code_only_render(page: SourcePage, lang: str, line: int, error: BaseException,
                     highlighted: list[str]) -> RenderedPage:
    """The page when rendering it failed: every line as code and a note saying why, with no markdown or
    math (which may be what failed). The diagnostic makes strict builds fail."""
    why = f"this file could not be rendered ({failure_message(error)}); it is shown as code"
    lines = page.text.split("\n")
    code = "\n".join(highlighted) if highlighted else escape(page.text)
    note = f'<p class="build-error">{escape(why[:1].upper() + why[1:])}.</p>'
    row = RenderedRow("top", "module", note, code, 1 if lines else None)
    return RenderedPage(source=page.path, lang=lang, title=page.meta.title or posixpath.basename(page.path),
                        summary=None, paper_url=None, redirect=None, rows=[row],
                        diagnostics=[Diagnostic(page.path, line, why)], ids={"top"})
