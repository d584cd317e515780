"""YAML front matter at the top of a module docstring or readme, between `---` lines."""

from __future__ import annotations

import re

import yaml

from .diagnostics import Diagnostic
from .page import PageMeta
from .urls import is_web_url, paper_url

_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
_FIELDS = ("title", "summary", "paper", "redirect")
_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


def split_front_matter(
    text: str, path: str, first_line: int
) -> tuple[PageMeta, str, int, list[Diagnostic]]:
    """Split `text` into (metadata, the markdown after it, lines consumed, problems).

    `first_line` is the source line where `text` starts, so YAML errors point at the right line.
    Broken YAML never raises: the metadata falls back to empty and the body is kept.
    """
    problems: list[Diagnostic] = []
    stripped = text.lstrip("\n")
    lead = len(text) - len(stripped)
    if not stripped.startswith("---"):
        return PageMeta(), text, 0, problems
    opening = _FENCE.match(stripped)
    if not opening:
        return PageMeta(), text, 0, problems
    closing = _FENCE.search(stripped, opening.end())
    if not closing:
        problems.append(Diagnostic(path, first_line + lead, "front matter has no closing '---'"))
        return PageMeta(), text, 0, problems
    yaml_text = stripped[opening.end() : closing.start()]
    body = stripped[closing.end() :]
    consumed = text[: len(text) - len(body)].count("\n")
    fence_line = first_line + lead  # yaml_text starts with the newline that ends this line
    yaml_line = fence_line + 1
    try:
        # The base loader keeps every scalar a string: `paper: 1607.06450` must not become a float.
        data = yaml.load(yaml_text, Loader=_LOADER)
    except yaml.YAMLError as e:
        # The context mark is where the broken construct began (e.g. an unclosed "["), closer to the mistake.
        mark = getattr(e, "context_mark", None) or getattr(e, "problem_mark", None)
        line = fence_line + mark.line if mark else yaml_line
        reason = getattr(e, "problem", None) or str(e).splitlines()[0]
        problems.append(Diagnostic(path, line, f"invalid YAML front matter: {reason}"))
        return PageMeta(), body, consumed, problems
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(Diagnostic(path, yaml_line, "front matter must be a mapping of 'key: value' lines"))
        return PageMeta(), body, consumed, problems
    meta = PageMeta()
    for key, value in data.items():
        if key not in _FIELDS:
            problems.append(Diagnostic(path, yaml_line, f"unknown front matter key {key!r}"))
            continue
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append(Diagnostic(path, yaml_line, f"front matter {key!r} must be plain text"))
            continue
        value = str(value).strip()
        if key in _URL_FIELDS and value and not _URL_FIELDS[key](value):
            line = _key_line(yaml_text, key, yaml_line)
            problems.append(Diagnostic(path, line, f"front matter {key!r} must be {_URL_RULES[key]}, "
                                                   f"not {value[:80]!r}; ignored"))
            continue
        setattr(meta, key, value)
    return meta, body, consumed, problems


# Links the theme prints from front matter: only what cannot run script (`urls`).
_URL_FIELDS = {"paper": lambda v: paper_url(v) is not None, "redirect": is_web_url}
_URL_RULES = {"paper": "an arXiv id (1706.03762) or an http(s) URL", "redirect": "an http(s) URL"}


def _key_line(yaml_text: str, key: str, first: int) -> int:
    """The line of `key:` in the front matter (`first` is the line of the YAML's first line)."""
    for offset, line in enumerate(yaml_text.removeprefix("\n").split("\n")):
        if re.match(rf"\s*['\"]?{key}['\"]?\s*:", line):
            return first + offset
    return first
