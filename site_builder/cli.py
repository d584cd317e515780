"""`python -m site_builder COMMAND ...` (also the `site-builder` console script).

A small dispatcher: each command lives with the code it drives.
"""

from __future__ import annotations

import sys

COMMANDS = {
    "translations": "status, extract, check and prune the translation store",
}


def _usage(prog: str) -> str:
    lines = [f"usage: {prog} COMMAND [ARGS...]", "", "commands:"]
    lines += [f"  {name:<14}{text}" for name, text in COMMANDS.items()]
    lines += ["", f"Run `{prog} COMMAND --help` for a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    prog = "python -m site_builder"
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_usage(prog))
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "translations":
        from .translations.cli import main as translations

        return translations(rest, prog=f"{prog} translations")
    print(f"{prog}: unknown command '{command}'\n\n{_usage(prog)}", file=sys.stderr)
    return 2
