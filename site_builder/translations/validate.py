"""The rules a translated value must pass before it may replace the English (DESIGN.md "Validation").

A value is checked against its key (the English HTML with `<span translate=no>_^_N_^_</span>`
placeholders):

- the same placeholders, each exactly once, each still inside its `<span translate=no>`;
- the same link targets (`href`), image sources (`src`) and anchor ids (`id`) as the key;
- well-formed: every tag closed in order, no `<a>` inside `<a>`, no paragraph inside a paragraph, no
  text outside the top-level elements when the key has none (the stray `</p>。`);
- safe: only allowlisted tags and attributes, no event handlers, no `javascript:` (or any non
  http/https/mailto) URLs; the value is then cleaned by `nh3` with the same allowlist, and a value the
  sanitizer would change (beyond spelling: quoting, entities) is rejected rather than silently altered;
- the glossary: a value whose key contains a glossary term must not use a rendering it lists to avoid.

Title and summary keys are plain text: their values must be plain text too.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path

import nh3

from ..unsafe_text import unsafe_characters
from .store import Problem, _pos

# --- the allowlist ------------------------------------------------------------------------------

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd",
    "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var", "wbr",
})
_GLOBAL_ATTRS = {"id", "title", "lang", "dir"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": _GLOBAL_ATTRS,
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "span": {"translate"},
    "ol": {"start"},
    "td": {"style", "colspan", "rowspan", "align"},
    "th": {"style", "colspan", "rowspan", "align", "scope"},
    "abbr": set(),
}
URL_ATTRIBUTES = {"href", "src", "cite", "action", "formaction", "poster", "background", "xlink:href"}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
STYLE_PROPERTIES = frozenset({"text-align"})
VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                       "track", "wbr"})

PLACEHOLDER_SPAN = re.compile(r'<span translate="?no"?>_\^_(\d+)_\^_</span>')
PLACEHOLDER_MARK = re.compile(r"_\^_(\d+)_\^_")
_TAG_LIKE = re.compile(r"<[A-Za-z/!?]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def sanitize(html: str) -> str:
    """`nh3` with the allowlist above."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
        filter_style_properties=set(STYLE_PROPERTIES),
    )


def has_text(key: str) -> bool:
    """Whether a key has anything to translate (a note of only formulas or code has not)."""
    if is_plain_text_key(key):
        return any(c.isalpha() for c in key)
    return any(c.isalpha() for c in _text(_scan_key(key)))


def is_plain_text_key(key: str) -> bool:
    """Titles and summaries are plain text; note keys are HTML."""
    return not _TAG_LIKE.search(key)


# --- one pass over the HTML --------------------------------------------------------------------


@dataclass
class _Scan:
    tokens: list[tuple] = field(default_factory=list)  # canonical form, to compare before/after nh3
    hrefs: list[str] = field(default_factory=list)
    srcs: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)
    top_text: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


def _url_problem(value: str) -> str | None:
    plain = _CONTROL.sub("", value).lower()
    m = _SCHEME.match(plain)
    if m and m.group(1) not in URL_SCHEMES:
        return f"'{m.group(1)}:' URLs are not allowed"
    return None


def _style_ok(value: str) -> bool:
    for decl in value.split(";"):
        if not decl.strip():
            continue
        name, _, v = decl.partition(":")
        if name.strip().lower() not in STYLE_PROPERTIES or not re.fullmatch(r"\s*[a-z-]+\s*", v):
            return False
    return True


def _canon_style(value: str) -> str:
    return ";".join(re.sub(r"\s+", "", d).lower() for d in value.split(";") if d.strip())


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.s = _Scan()
        self.stack: list[str] = []

    def _attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
        allowed = ALLOWED_ATTRIBUTES.get("*", set()) | ALLOWED_ATTRIBUTES.get(tag, set())
        out = []
        for name, value in attrs:
            value = value if value is not None else ""
            if name.startswith("on"):
                self.s.unsafe.append(f"event handler attribute '{name}' is not allowed")
                continue
            if name in URL_ATTRIBUTES and (reason := _url_problem(value)):
                self.s.unsafe.append(reason)
            if name == "style" and not _style_ok(value):
                self.s.unsafe.append(f"style '{value}' is not allowed")
            elif name not in allowed:
                self.s.unsafe.append(f"attribute '{name}' is not allowed on <{tag}>")
                continue
            if name == "href":
                self.s.hrefs.append(value)
            elif name == "src":
                self.s.srcs.append(value)
            elif name == "id":
                self.s.ids.append(value)
            out.append((name, _canon_style(value) if name == "style" else value))
        return sorted(out)

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, self_closing=False)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, self_closing=True)

    def _start(self, tag: str, attrs, self_closing: bool) -> None:
        if tag not in ALLOWED_TAGS:
            self.s.unsafe.append(f"<{tag}> is not allowed")
        if tag == "a" and "a" in self.stack:
            self.s.problems.append("a link nested inside a link")
        if tag == "p" and "p" in self.stack:
            self.s.problems.append("a paragraph inside a paragraph")
        self.s.tokens.append(("start", tag, tuple(self._attrs(tag, attrs))))
        if tag in VOID_TAGS:
            return
        if self_closing:
            self.s.problems.append(f"<{tag}/> cannot be self-closing")
            return
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        self.s.tokens.append(("end", tag))
        if not self.stack:
            self.s.problems.append(f"unbalanced tags: </{tag}> has no opening tag")
        elif self.stack[-1] != tag:
            if tag in self.stack:
                self.s.problems.append(f"unbalanced tags: </{tag}> closes <{self.stack[-1]}>")
                while self.stack and self.stack.pop() != tag:
                    pass
            else:
                self.s.problems.append(f"unbalanced tags: </{tag}> has no opening tag")
        else:
            self.stack.pop()

    def handle_data(self, data):
        if not self.stack and data.strip():
            self.s.top_text.append(data.strip())
        self.s.text.append(data)
        if self.s.tokens and self.s.tokens[-1][0] == "text":
            self.s.tokens[-1] = ("text", self.s.tokens[-1][1] + data)
        else:
            self.s.tokens.append(("text", data))

    def handle_comment(self, data):
        self.s.unsafe.append("HTML comments are not allowed")

    def handle_decl(self, decl):
        self.s.unsafe.append(f"<!{decl}> is not allowed")

    def handle_pi(self, data):
        self.s.unsafe.append("processing instructions are not allowed")

    def unknown_decl(self, data):
        self.s.unsafe.append("CDATA sections are not allowed")


def scan(html: str) -> _Scan:
    parser = _Scanner()
    parser.feed(html)
    parser.close()
    if parser.rawdata:  # an unfinished tag at the end
        parser.s.problems.append(f"unfinished markup at the end: '{parser.rawdata[:30]}'")
    for tag in reversed(parser.stack):
        parser.s.problems.append(f"unbalanced tags: <{tag}> is never closed")
    tokens = []
    for t in parser.s.tokens:  # whitespace-only differences are not changes
        if t[0] == "text":
            t = ("text", re.sub(r"\s+", " ", t[1]))
            if t[1] == " ":
                continue
        tokens.append(t)
    parser.s.tokens = tokens
    return parser.s


# --- the glossary --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    english: str
    use: str
    avoid: tuple[str, ...]
    pattern: re.Pattern
    allow: tuple[str, ...] = ()  # ordinary phrases that contain a rendering to avoid (exceptions)

    def bad_renderings(self, value_text: str) -> list[str]:
        """The renderings to avoid that `value_text` uses. An avoided rendering is looked for as a
        term: a Latin one only as a whole word, and never inside a phrase of `allow` (so "留意" as a
        rendering of *attention* can be avoided without rejecting "请留意", *please note*)."""
        text = value_text.lower()
        for phrase in self.allow:
            if phrase:
                text = text.replace(phrase.lower(), " ")
        return [bad for bad in self.avoid if bad and _avoid_pattern(bad).search(text)]


@lru_cache(maxsize=4096)
def _avoid_pattern(bad: str) -> re.Pattern:
    body = re.escape(bad.lower())
    before = r"(?<![A-Za-z0-9])" if re.match(r"[A-Za-z0-9]", bad) else ""
    after = r"(?![A-Za-z0-9])" if re.search(r"[A-Za-z0-9]$", bad) else ""
    return re.compile(before + body + after)


@dataclass
class Glossary:
    terms: list[Term] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def violations(self, key_text: str, value_text: str) -> list[str]:
        out = []
        for term in self.terms:
            if not term.avoid or not term.pattern.search(key_text):
                continue
            for bad in term.bad_renderings(value_text):
                out.append(f"glossary: '{term.english}' should be rendered '{term.use}', not '{bad}'")
        return out


def term_pattern(english: str) -> re.Pattern:
    """Word-bounded, case-insensitive; hyphen, space or nothing between parts; plural allowed."""
    parts = [re.escape(p) for p in re.split(r"[-\s]+", english.strip()) if p]
    body = r"[-\s]?".join(parts)
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?:s|es)?(?![A-Za-z0-9])", re.IGNORECASE)


def parse_glossary(text: str) -> Glossary:
    """`{"term": {"use": "...", "avoid": ["...", ...], "allow": ["...", ...]}, ...}`; `allow` (optional)
    lists ordinary phrases that contain an avoided rendering and are fine; other fields (e.g. "note")
    are ignored."""
    glossary = Glossary()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        glossary.problems.append(Problem(e.lineno, e.colno, f"glossary does not parse: {e.msg}"))
        return glossary
    if not isinstance(data, dict):
        glossary.problems.append(Problem(1, 1, "glossary must be a JSON object of term → {use, avoid}"))
        return glossary
    for english, spec in data.items():
        at = text.find(json.dumps(english, ensure_ascii=False))
        line = _pos(text, at)[0] if at >= 0 else 0
        if not isinstance(spec, dict) or not isinstance(spec.get("use"), str) or not all(
                isinstance(spec.get(f, []), list) and all(isinstance(a, str) for a in spec.get(f, []))
                for f in ("avoid", "allow")):
            glossary.problems.append(Problem(line, 1, f"glossary entry '{english}' must be "
                                                      '{"use": "...", "avoid": ["...", ...]} '
                                                      '(optionally "allow": ["...", ...])', english))
            continue
        glossary.terms.append(Term(english, spec["use"], tuple(spec.get("avoid", [])), term_pattern(english),
                                   tuple(spec.get("allow", []))))
    return glossary


def load_glossary(path: Path) -> Glossary:
    try:
        return parse_glossary(path.read_text("utf-8"))
    except FileNotFoundError:
        return Glossary()
    except UnicodeDecodeError:
        return Glossary(problems=[Problem(0, 0, "glossary is not valid UTF-8")])


# --- the verdict ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """`value` is what may be shown (sanitized), or None. `empty`: untranslated, not invalid."""

    value: str | None
    reasons: tuple[str, ...] = ()
    empty: bool = False

    @property
    def ok(self) -> bool:
        return self.value is not None

    @property
    def invalid(self) -> bool:
        return bool(self.reasons)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


_NO_GLOSSARY = Glossary()


@lru_cache(maxsize=1 << 16)
def _scan_key(key: str) -> _Scan:
    """Keys repeat (every language validates the same English): scan each once. Read-only result."""
    return scan(key)


def _text(scanned: _Scan) -> str:
    """The visible text, placeholders blanked."""
    return PLACEHOLDER_MARK.sub(" ", "".join(scanned.text))


def validate(key: str, value: str, glossary: Glossary | None = None) -> Verdict:
    """Check one translated value against its key; on success return the sanitized value."""
    glossary = glossary or _NO_GLOSSARY
    if not value.strip():
        return Verdict(None, empty=True)
    if unsafe := unsafe_characters(value):
        return Verdict(None, tuple(f"contains {reason}" for reason in unsafe))
    if is_plain_text_key(key):
        reasons = []
        if re.search(r'[<>"]', value):
            reasons.append("a plain-text value (title or summary) must not contain markup, '<', '>' or '\"'")
        reasons += glossary.violations(key, value)
        return Verdict(None, tuple(reasons)) if reasons else Verdict(value)

    reasons: list[str] = []
    k, v = _scan_key(key), scan(value)
    reasons += _dedupe(v.unsafe)
    reasons += _dedupe(v.problems)
    reasons += _placeholder_problems(key, value)
    for what, mine, theirs in (("link target", k.hrefs, v.hrefs), ("image source", k.srcs, v.srcs),
                               ("anchor id", k.ids, v.ids)):
        lost, added = Counter(mine) - Counter(theirs), Counter(theirs) - Counter(mine)
        for item in lost:
            reasons.append(f"{what} '{item}' is missing" if item not in added else f"{what} '{item}' changed")
        for item in added:
            reasons.append(f"{what} '{item}' is not in the English")
    reasons += _link_text_problems(key, value)
    if v.top_text and not k.top_text:
        reasons.append(f"text outside the top-level elements: '{v.top_text[0][:20]}'")
    if not reasons:
        cleaned = sanitize(value)
        after = scan(cleaned)
        if after.tokens != v.tokens:
            reasons.append(f"the sanitizer would change it ({_first_difference(v.tokens, after.tokens)})")
        else:
            reasons += _placeholder_problems(key, cleaned)
    reasons += glossary.violations(_text(k), _text(v))
    if reasons:
        return Verdict(None, tuple(_dedupe(reasons)))
    return Verdict(cleaned)


_LINK = re.compile(r"(<a\b[^>]*>)(.*?)</a>", re.S | re.I)
_ANY_TAG = re.compile(r"<[^>]*>")
_ALNUM = re.compile(r"[A-Za-z0-9]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_INFLECTIONS = frozenset({"s", "es", "ed", "d", "ing", "er", "ers", "ly", "al"})


def _visible(html: str) -> str:
    return html_unescape(_ANY_TAG.sub("", html))


def _link_splits(html: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Words a link boundary cuts (`Conv<a>Mixer</a>` → "Conv|Mixer"), and each link's visible text with
    the visible text around it (tags looked through)."""
    splits, links = [], []
    for m in _LINK.finditer(html):
        before, inside, after = _visible(html[: m.start()]), _visible(m.group(2)), _visible(html[m.end():])
        links.append((inside, before[-1:] + "|" + after[:1]))
        if inside and before and _ALNUM.match(before[-1]) and _ALNUM.match(inside[0]):
            splits.append(f"{re.search(r'[A-Za-z0-9]+$', before).group()}|{re.match(r'[A-Za-z0-9]+', inside).group()}")
        if inside and after and _ALNUM.match(inside[-1]) and _ALNUM.match(after[0]):
            splits.append(f"{re.search(r'[A-Za-z0-9]+$', inside).group()}|{re.match(r'[A-Za-z0-9]+', after).group()}")
    return splits, links


def _link_text_problems(key: str, value: str) -> list[str]:
    """A link's text must not start or end inside a Latin word that goes on outside it
    (`制作 Conv<a>Mixer 图层</a>`), nor begin or end with a piece of a word of the English that the
    English does not have on its own (`C <a>onvMixer 图层</a>`: the first letter was left outside)."""
    if "<a" not in value:
        return []
    key_splits, _ = _link_splits(key)
    splits, links = _link_splits(value)
    out = [f"a link's text cuts the word '{w.replace('|', '')}' ('{w.split('|')[0]}' | '{w.split('|')[1]}')"
           for w in splits if w not in key_splits]
    if out:
        return out
    words = {w.lower(): w for w in _LATIN_WORD.findall(_visible(key))}
    for inside, _ in links:
        found = _LATIN_WORD.findall(inside)
        first = found[0] if found and inside.lstrip().startswith(found[0]) else None
        last = found[-1] if found and inside.rstrip().endswith(found[-1]) else None
        if first and len(first) >= 2 and first.lower() not in words:
            whole = next((w for lw, w in words.items() if len(lw) > len(first) and lw.endswith(first.lower())),
                         None)
            if whole:
                out.append(f"a link's text starts inside a word: '{first}' (the English has '{whole}')")
        if last and len(last) >= 2 and last.lower() not in words:
            whole = next((w for lw, w in words.items() if len(lw) > len(last) and lw.startswith(last.lower())
                          and lw[len(last):] not in _INFLECTIONS), None)
            if whole:
                out.append(f"a link's text ends inside a word: '{last}' (the English has '{whole}')")
    return out


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _placeholder_problems(key: str, value: str) -> list[str]:
    want = Counter(PLACEHOLDER_SPAN.findall(key))
    have = Counter(PLACEHOLDER_SPAN.findall(value))
    marks = Counter(PLACEHOLDER_MARK.findall(value))
    out, missing = [], []
    for n in sorted(set(want) | set(have) | set(marks), key=int):
        tag = f"_^_{n}_^_"
        if marks[n] > have[n]:
            out.append(f"placeholder {tag} must stay inside <span translate=no>…</span>")
        elif n not in want:
            out.append(f"placeholder {tag} is not in the English")
        elif have[n] == 0:
            missing.append(tag)
        elif have[n] > want[n]:
            out.append(f"placeholder {tag} appears {have[n]} times")
    if len(missing) == 1:
        out.insert(0, f"placeholder {missing[0]} is missing")
    elif len(missing) > 1:
        shown = ", ".join(missing[:4]) + (", …" if len(missing) > 4 else "")
        out.insert(0, f"{len(missing)} placeholders are missing ({shown})")
    return out


def _first_difference(before: list[tuple], after: list[tuple]) -> str:
    for a, b in zip(before, after, strict=False):
        if a != b:
            return f"{_show(a)} → {_show(b)}"
    if len(before) > len(after):
        return f"{_show(before[len(after)])} removed"
    return f"{_show(after[len(before)])} added"


def _show(token: tuple) -> str:
    if token[0] == "start":
        attrs = "".join(f' {n}="{v}"' for n, v in token[2])
        return f"<{token[1]}{attrs}>"
    if token[0] == "end":
        return f"</{token[1]}>"
    return repr(token[1][:30])
