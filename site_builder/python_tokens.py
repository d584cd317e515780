"""Python source → (Pygments CSS class, text) tokens, lexed by tree-sitter (C) instead of Pygments'
regular expressions, which took half of a cold build.

The classes are the short names Pygments' HtmlFormatter uses (`k`, `nf`, `s2`, ...), so pages look
the same with any Pygments style sheet. Where a class depends on the word alone (builtins, keywords,
`self`, exception names, number forms) it is asked of Pygments itself, once per distinct word; where
it depends on the syntax (a function's or class's name, decorators, import paths, string parts,
docstrings) the tree says. `tests/test_highlight.py` compares every character with Pygments and
names each difference it allows. A file tree-sitter cannot parse cleanly returns None: the caller
uses Pygments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

try:
    import tree_sitter_python
    from tree_sitter import Language, Node, Parser
except ImportError:  # pragma: no cover - an optional speed-up
    Parser = None  # type: ignore[assignment,misc]

Token = tuple[str, str]  # (css class, text); "" for plain text (whitespace, punctuation)

_PUNCTUATION = frozenset("()[]{},:;")
# Formatting fields in an ordinary string, which Pygments marks as interpolation: `%(name)5.2f`, `{0.x!r:>8}`.
_FORMAT_FIELD = re.compile(r"\{\{|\}\}"  # escaped braces: text, not fields
                           r"|%(?:\(\w+\))?[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[hlL]?[diouxXeEfFgGcrsa%]"
                           r"|\{(?:\w+(?:\.\w+|\[[^\]]+\])*)?(?:![rsa])?"
                           r"(?::(?:.?[<>=^])?[-+ ]?#?0?\d*[,_]?(?:\.\d+)?[bcdeEfFgGnosxX%]?)?\}")
_DEFINITIONS = {"function_definition": "nf", "class_definition": "nc"}
_SOFT_KEYWORDS = frozenset({"match", "case"})
_NOT_A_STATEMENT = re.compile(rb"[ \t]*(?:[:,;=^&|@~)\]}]|(?:\+|-|\*|/|%|<<|>>|\*\*|//)=)")


@lru_cache(maxsize=1)
def _parser():
    return Parser(Language(tree_sitter_python.language())) if Parser is not None else None


def available() -> bool:
    return _parser() is not None


@lru_cache(maxsize=1 << 14)
def _word_class(word: str, after_dot: bool = False) -> str:
    """How Pygments classes `word` standing alone (or after a `.`, where builtins are plain names)."""
    from .highlight import pygments_tokens, remembered

    def ask() -> str:
        tokens = pygments_tokens(("x." if after_dot else "") + word + " ")  # `def`, `class` need what follows
        position = 2 if after_dot else 0
        cls, text = tokens[position] if len(tokens) > position else ("n", word)
        return cls if text == word else "n"

    return remembered(f"w:{after_dot:d}:{word}", ask)


def tokens(text: str) -> list[Token] | None:
    """The tokens of a whole file, in order, covering every character; None when tree-sitter is not
    installed, the file has a syntax error or it nests too deeply for the recursive walk."""
    parser = _parser()
    if parser is None:
        return None
    data = text.encode("utf-8")
    tree = parser.parse(data)
    if tree.root_node.has_error:
        return None
    emitter = _Emitter(data)
    try:
        emitter.walk(tree.root_node, "", "")
    except RecursionError:  # nested deeper than the walk can recurse (a 3,000-term sum): Pygments lexes it
        return None
    emitter.gap(len(data))
    return emitter.out


class _Emitter:
    """Walks the tree once, appending tokens to `out` (plain calls: generators nested as deep as the
    tree cost more than the lexing). Each node is told its parent's and previous sibling's types,
    which is all the context a leaf's class needs."""

    def __init__(self, data: bytes):
        self.data = data
        self.out: list[Token] = []
        self.pos = 0  # bytes emitted so far
        self.fields = False  # inside an ordinary string: formatting fields are marked

    def text(self, start: int, end: int) -> str:
        return self.data[start:end].decode("utf-8")

    def gap(self, upto: int, cls: str = "") -> None:
        """Source between tokens: whitespace and line continuations, or uncovered text of a string."""
        if upto > self.pos:
            self.string_text(cls, self.text(self.pos, upto))
            self.pos = upto

    def string_text(self, cls: str, text: str) -> None:
        """Text of a string, with the formatting fields of an ordinary string marked."""
        out = self.out
        if not self.fields or cls not in ("s1", "s2") or ("%" not in text and "{" not in text):
            out.append((cls, text))
            return
        at = 0
        for m in _FORMAT_FIELD.finditer(text):
            if m.group(0) in ("{{", "}}"):
                continue
            if m.start() > at:
                out.append((cls, text[at:m.start()]))
            out.append(("si", m.group(0)))
            at = m.end()
        if at < len(text):
            out.append((cls, text[at:]))

    def leaf(self, node: Node, cls: str) -> None:
        start, end = node.start_byte, node.end_byte
        if start > self.pos:
            self.gap(start)
        if end > self.pos:
            self.out.append((cls, self.text(start, end)))
            self.pos = end

    def walk(self, node: Node, parent: str, previous: str) -> None:
        kind = node.type
        if kind == "string":
            self.string(node)
        elif kind == "decorator":
            self.decorator(node)
        elif kind in ("import_statement", "import_from_statement", "future_import_statement"):
            self.imports(node)
        elif kind == "comment":
            self.leaf(node, "ch" if node.start_byte == 0 and self.data.startswith(b"#!") else "c1")
        elif kind in ("integer", "float") and self.data[node.end_byte - 1:node.end_byte] in (b"j", b"J"):
            self.gap(node.start_byte)  # Pygments: a complex literal is a number, then a name
            number = self.text(node.start_byte, node.end_byte - 1)
            self.out += [(_number_class(number), number), ("n", self.text(node.end_byte - 1, node.end_byte))]
            self.pos = node.end_byte
        elif kind in ("integer", "float"):
            self.leaf(node, _number_class(self.text(node.start_byte, node.end_byte)))
        elif node.child_count == 0 or kind == "ellipsis":
            self.leaf(node, self.classify(node, kind, parent, previous))
        else:
            name = node.child_by_field_name("name") if kind in _DEFINITIONS else None
            before = ""
            for child in node.children:
                if name is not None and child.id == name.id:
                    word = self.text(child.start_byte, child.end_byte)
                    magic = kind == "function_definition" and _word_class(word) == "fm"
                    self.leaf(child, "fm" if magic else _DEFINITIONS[kind])
                else:
                    self.walk(child, kind, before)
                before = child.type

    def classify(self, node: Node, kind: str, parent: str, previous: str) -> str:
        word = self.text(node.start_byte, node.end_byte)
        if kind == "identifier":
            if word in _SOFT_KEYWORDS:
                return self.soft_keyword(node)
            if previous == "from" and parent == "raise_statement":
                return "nn"  # Pygments reads `raise E from name` like an import
            return _word_class(word, parent == "attribute" and previous == ".")
        if kind in ("true", "false", "none"):
            return "kc"
        if kind == "ellipsis":
            return "o"
        if kind == "line_continuation":
            return ""
        if kind in ("match", "case", "_"):  # `_` here is the wildcard of a case pattern
            return "k"
        if kind == "from" and parent == "yield":
            return "k"  # Pygments reads `yield from` as one keyword; `raise ... from` is kn like imports
        if word and all(c in _PUNCTUATION for c in word):
            return ""
        return _word_class(word) if word.isidentifier() else "o"

    def soft_keyword(self, node: Node) -> str:
        """`match`/`case` used as a name: Pygments calls it a keyword when it starts a line and is not
        followed by an assignment or a closing bracket (so `case.x()` at line start is a keyword)."""
        line_start = self.data.rfind(b"\n", 0, node.start_byte) + 1
        if self.data[line_start:node.start_byte].strip() or _NOT_A_STATEMENT.match(self.data, node.end_byte):
            return "n"
        return "k"

    def decorator(self, node: Node) -> None:
        """Pygments: `@name` is one decorator token; dots and what follows are ordinary code."""
        children = node.children
        at = children[0]
        self.gap(at.start_byte)
        expr = children[1] if len(children) > 1 else None
        first = expr
        while first is not None and first.child_count:
            first = first.children[0]
        if first is not None and first.is_named and first.type != "string_start":
            self.out.append(("nd", self.text(at.start_byte, first.end_byte)))
            self.pos = first.end_byte
            if expr is not None and expr.id != first.id:
                self.walk_from(expr, "decorator", "@")
        else:
            self.leaf(at, "nd")
            for child in children[1:]:
                self.walk(child, "decorator", "@")

    def walk_from(self, node: Node, parent: str, previous: str) -> None:
        """The parts of `node` not emitted yet (after a decorator's name)."""
        if node.end_byte <= self.pos:
            return
        if node.start_byte >= self.pos:
            self.walk(node, parent, previous)
            return
        before = ""
        for child in node.children:
            self.walk_from(child, node.type, before)
            before = child.type

    def imports(self, node: Node) -> None:
        """`import a.b as c`: module paths and their aliases are namespaces; `from m import x`: the
        imported names are plain names (as Pygments has it)."""
        from_import = node.type != "import_statement"
        seen_import = False
        for child in node.children:
            kind = child.type
            if kind in ("import", "from"):
                self.leaf(child, "kn")
                seen_import = seen_import or kind == "import"
            elif kind in ("dotted_name", "relative_import", "__future__") and not (from_import and seen_import):
                self.namespace(child)
            elif kind == "," and not from_import:
                self.leaf(child, "o")  # Pygments: `import a, b` separates with an operator
            elif kind == "aliased_import":
                for part in child.children:
                    if part.type == "dotted_name" and not (from_import and seen_import):
                        self.namespace(part)
                    elif part.type == "as":
                        self.leaf(part, "k")
                    elif part.type == "identifier":
                        self.leaf(part, "n" if from_import else "nn")
                    else:
                        self.walk(part, kind, "")
            else:
                self.walk(child, node.type, "")

    def namespace(self, node: Node) -> None:
        for leaf in _leaves(node):
            self.leaf(leaf, "nn")

    def string(self, node: Node) -> None:
        children = node.children
        start = children[0] if children else None
        opening = self.text(start.start_byte, start.end_byte) if start is not None else '"'
        prefix = opening.rstrip("'\"")
        quote = opening[len(prefix):]
        cls = "sd" if len(quote) == 3 and _is_docstring(node) else ("s1" if quote.startswith("'") else "s2")
        if start is None:
            self.leaf(node, cls)
            return
        self.gap(start.start_byte)
        if prefix:
            self.out.append(("sa", prefix))
        self.out.append((cls, quote))
        self.pos = start.end_byte
        self.fields = cls != "sd" and "f" not in prefix.lower()
        self.string_parts(children[1:], cls)
        self.fields = False

    def string_parts(self, parts: list[Node], cls: str) -> None:
        for part in parts:
            kind = part.type
            if kind in ("escape_sequence", "escape_interpolation"):
                self.gap(part.start_byte, cls)
                self.leaf(part, cls if cls == "sd" else "se")  # docstrings show no escapes
            elif kind == "interpolation":
                self.gap(part.start_byte, cls)
                self.interpolation(part, cls)
            elif part.child_count:
                self.string_parts(part.children, cls)
                self.gap(part.end_byte, cls)
            else:
                self.gap(part.start_byte, cls)
                if part.end_byte > self.pos:
                    self.string_text(cls, self.text(part.start_byte, part.end_byte))
                    self.pos = part.end_byte

    def interpolation(self, node: Node, cls: str) -> None:
        """`{expr!r:spec}`: braces, conversion and the spec's colon are interpolation marks; the
        spec's text is the string's; nested fields recurse."""
        fields, self.fields = self.fields, False
        for child in node.children:
            kind = child.type
            if kind in ("{", "}", "type_conversion", "="):  # `{x=}` too
                self.leaf(child, "si")
            elif kind == "format_specifier":
                for part in child.children:
                    if part.type == ":":
                        self.leaf(part, "si")
                    elif part.type == "format_expression":
                        self.gap(part.start_byte, cls)
                        self.interpolation(part, cls)
                    else:
                        self.gap(part.start_byte, cls)
                        self.leaf(part, cls)
                self.gap(child.end_byte, cls)
            else:
                self.walk(child, "interpolation", "")
        self.fields = fields


def _leaves(node: Node) -> Iterator[Node]:
    if node.child_count == 0:
        yield node
    for child in node.children:
        yield from _leaves(child)


def _is_docstring(node: Node) -> bool:
    """The first statement of a module, class or function body, as Pygments marks it."""
    statement = node.parent
    if statement is None or statement.type != "expression_statement" or statement.child_count != 1:
        return False
    body = statement.parent
    if body is None or body.type not in ("block", "module"):
        return False
    first = next((c for c in body.children if c.type != "comment"), None)
    if first is None or first.id != statement.id:
        return False
    return body.type == "module" or (body.parent is not None and body.parent.type in _DEFINITIONS)


@lru_cache(maxsize=4096)
def _number_class(word: str) -> str:
    from .highlight import pygments_tokens, remembered

    def ask() -> str:
        cls, text = pygments_tokens(word)[0]
        return cls if text == word else "mi"

    return remembered(f"n:{word}", ask)
