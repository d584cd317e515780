"""Characters that must not reach a page unnoticed: NUL, and the Unicode bidi controls that make text
display in a different order from how it is stored ("Trojan Source": code or a translation that reads one
way and means another). Translations holding them are refused; in sources NULs are replaced and both are
reported with their line.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # LRE RLE PDF LRO RLO LRI RLI FSI PDI
_UNSAFE = re.compile(f"[\x00{BIDI_CONTROLS}]")


def unsafe_characters(text: str) -> list[str]:
    """Why `text` must not be shown as it is: one reason per kind of character found, in order."""
    found = dict.fromkeys(_describe(c) for c in _UNSAFE.findall(text))
    return list(found)


def clean_source(text: str) -> tuple[str, list[tuple[int, str]]]:
    """NULs replaced by U+FFFD; (line, message) for each line holding NUL or a bidi control."""
    problems = []
    if _UNSAFE.search(text):
        for number, line in enumerate(text.split("\n"), 1):
            for reason in unsafe_characters(line):
                fix = "; replaced by U+FFFD" if reason.startswith("a NUL") else ""
                problems.append((number, f"{reason}{fix}"))
    return text.replace("\x00", "\ufffd"), problems


def _describe(char: str) -> str:
    if char == "\x00":
        return "a NUL character"
    return f"a bidi control character U+{ord(char):04X} (it can make text read differently from how it is stored)"
