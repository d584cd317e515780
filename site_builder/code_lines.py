"""The code column's markup: one block per source line, carrying its original line number.

The number is drawn by CSS from `data-n` (`content: attr(data-n) / ""`), so it is never selected,
never copied with the code and never read by a screen reader, which already hears the code.
`--i` is the line's own indent (in characters): a long line wraps with a hanging indent under it.
"""

from __future__ import annotations

import re

_LEAD = re.compile(r'^(?:<span class="[^"]*">)?( +)')


def numbered_code(code_html: str, lines: list[int]) -> str:
    """`code_html` (highlighted lines joined by newlines) as one `<span class="line">` per line.

    Each block ends with its newline so the code copies (and reads without CSS) exactly as written.
    """
    if not code_html:
        return ""
    html_lines = code_html.split("\n")
    if len(lines) != len(html_lines):  # no numbers to give: plain lines
        lines = [0] * len(html_lines)
    out = []
    for n, html in zip(lines, html_lines, strict=True):
        lead = _LEAD.match(html)
        indent = len(lead.group(1)) if lead else 0
        style = f' style="--i:{indent}"' if indent else ""
        number = f' data-n="{n}"' if n else ""
        out.append(f'<span class="line"{number}{style}>{html}\n</span>')
    return "".join(out)
