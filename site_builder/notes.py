"""One note's markdown → HTML, in two steps so translations can slot in between.

`prepare` gives the translation key (English HTML with `<span translate=no>_^_N_^_</span>` where
each protected piece was) and the pieces; `fill` puts rendered pieces back into the key or into a
translated value. Math is rendered separately, in page-wide batches, by `katex`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape

import markdown

from .highlight import highlight_inline, highlight_lines
from .normal_form import normalize_html, normalize_key
from .protect import CLOSE, OPEN, TOKEN, Piece, protect

PLACEHOLDER = re.compile(r'<span translate="?no"?>_\^_(\d+)_\^_</span>')
_BLOCK_TOKEN = re.compile(f"<p>{OPEN}(\\d+){CLOSE}</p>")
# A line with no markdown syntax: no emphasis, links, HTML, entities, escapes, tabs, table bars, list, quote
# or heading markers, no indentation or trailing spaces (which could make code blocks or line breaks).
_PLAIN_LINE = re.compile(r"(?!\d+[.)]|[-+*>#=])(?=\S)[^*_`\[\]<>&\\\n\t|]*(?<=\S)")
_BLANK_LINES = re.compile(r"\n\n+")
_HEADING = re.compile(r"(#{1,6}) (.*[^#\s])")  # an ATX heading with no closing hashes
_BULLET = re.compile(r"[-+*] (.*)")  # a bullet list item (python-markdown: any of the three markers)
_BLOCK_KINDS = {"code_block", "display_math"}
_HREF = re.compile(r'\bhref="([^"]*)"')
_ID = re.compile(r'\bid="([^"]*)"')


def placeholder(n: int) -> str:
    return f"<span translate=no>_^_{n}_^_</span>"


@dataclass(frozen=True)
class PreparedNote:
    """A note ready to translate and render."""

    key: str  # English HTML with placeholders, in the normal form (`normal_form`); also the translation key
    pieces: tuple[Piece, ...]
    problems: tuple[tuple[int, str], ...]  # (line offset in the note, message)


class NotePreparer:
    """Owns the one reused `markdown.Markdown`; caches by note text (notes repeat across languages
    and rebuilds)."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
        self._cache: dict[str, PreparedNote] = {}

    def prepare(self, note: str) -> PreparedNote:
        if (hit := self._cache.get(note)) is not None:
            return hit
        protected = protect(note)
        html = self.markdown(protected.text)
        # A code block or display formula alone in a paragraph stands on its own, outside the <p>.
        html = _BLOCK_TOKEN.sub(lambda m: placeholder(int(m.group(1)))
                                if protected.pieces[int(m.group(1))].kind in _BLOCK_KINDS else m.group(0), html)
        html = TOKEN.sub(lambda m: placeholder(int(m.group(1))), html)
        result = PreparedNote(normalize_html(html), tuple(protected.pieces), tuple(protected.problems))
        self._cache[note] = result
        return result

    def remember(self, rows, prepared: list[PreparedNote]) -> None:
        """Notes prepared elsewhere (by a worker process), so later languages and rebuilds find them."""
        for row, note in zip(rows, prepared, strict=True):
            self._cache[row.note] = note

    def markdown(self, text: str) -> str:
        """python-markdown's HTML for `text`. Notes made of plain prose and simple bullet lists (most
        comments) skip it: the result is the same (property tests check), and markdown is the slowest
        step of a note."""
        simple = _simple_markdown(text)
        return simple if simple is not None else self._md.reset().convert(text)


def _simple_markdown(text: str) -> str | None:
    """The HTML of `text` when every block is a paragraph of plain lines, a one-line heading or a
    tight bullet list of one-line plain items (never right after another list: markdown would merge
    them into a loose one); None for anything else."""
    out = []
    after_list = False
    for block in _BLANK_LINES.split(text.strip("\n")):
        lines = block.split("\n")
        if all(_PLAIN_LINE.fullmatch(line) for line in lines):
            out.append(f"<p>{block}</p>")
            after_list = False
            continue
        if len(lines) == 1 and (m := _HEADING.fullmatch(block)) and _PLAIN_LINE.fullmatch(m.group(2)):
            out.append(f"<h{len(m.group(1))}>{m.group(2)}</h{len(m.group(1))}>")
            after_list = False
            continue
        items = [_BULLET.fullmatch(line) for line in lines]
        if after_list or not all(m and _PLAIN_LINE.fullmatch(m.group(1)) for m in items):
            return None
        out.append("<ul>\n" + "\n".join(f"<li>{m.group(1)}</li>" for m in items) + "\n</ul>")  # type: ignore[union-attr]
        after_list = True
    return "\n".join(out)


def render_piece(piece: Piece, math_html: str | None = None, math_error: str | None = None,
                 code_html: str | None = None, alt: str | None = None, title: str | None = None,
                 lang: str | None = None, size: tuple[int, int] | None = None) -> str:
    """HTML for one protected piece; math comes pre-rendered from KaTeX, inline code may come
    pre-highlighted (see `highlight_snippets`). An image takes its alt text and title from `alt` and
    `title` when given (translations), `lang` marks an image whose alt text is not in the page's language, and
    `size` (the file's width and height) reserves its box before it loads."""
    if piece.kind in ("math", "display_math"):
        if math_html is not None:
            return math_html
        return (f'<span class="katex-error" title="{escape(math_error or "invalid LaTeX")}">'
                f"{escape(piece.text)}</span>")
    if piece.kind == "code":
        return f'<code class="highlight">{highlight_inline(piece.text) if code_html is None else code_html}</code>'
    if piece.kind == "code_block":
        code = "\n".join(highlight_lines(piece.text, piece.language or "python"))
        return f'<div class="highlight"><pre><code>{code}</code></pre></div>'
    title = title if title is not None else piece.title
    title_attr = f' title="{escape(title)}"' if title else ""
    lang_attr = f' lang="{escape(lang)}"' if lang else ""
    alt = alt if alt is not None else piece.alt
    size_attrs = f' width="{size[0]}" height="{size[1]}"' if size else ""
    return (f'<img{lang_attr} src="{escape(piece.text)}" alt="{escape(alt)}"{title_attr}{size_attrs} loading="lazy" '
            f'class="zoomable">')


def image_text_keys(piece: Piece) -> list[str]:
    """The translation keys of an image: its alt text and its title, as plain text (normal form)."""
    if piece.kind != "image":
        return []
    return [key for key in (normalize_key(piece.alt), normalize_key(piece.title or "")) if key]


def fill(html: str, rendered: list[str]) -> str:
    """Replace every placeholder span with its rendered piece."""
    return PLACEHOLDER.sub(lambda m: rendered[int(m.group(1))], html)


def link_targets(html: str) -> list[str]:
    """The `href`s of `html` as a browser reads them: entities decoded (python-markdown writes an email
    autolink `<ada@example.org>` as `&#109;&#97;...`, which is `mailto:ada@example.org`)."""
    return [unescape(href) for href in _HREF.findall(html)]


def anchor_ids(html: str) -> list[str]:
    return _ID.findall(html)
