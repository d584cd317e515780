"""The parser rules of DESIGN.md ("How a file becomes rows"), one test per rule."""

from __future__ import annotations

import textwrap

from site_builder.parser import parse_markdown, parse_python


def rows(src: str):
    page = parse_python(textwrap.dedent(src).lstrip("\n"), "t.py")
    return page, page.rows


def code(page, row) -> list[str]:
    lines = page.text.split("\n")
    return [lines[n - 1] for n in row.lines]


def test_rule1_code_keeps_original_line_numbers_and_comments_leave_the_code_column():
    page, rs = rows('''
        # note
        x = 1  # stays

        # another
        y = 2
    ''')
    assert [r.lines for r in rs] == [[2], [5]]
    assert code(page, rs[0]) == ["x = 1  # stays"]
    assert all("# note" not in line for r in rs for line in code(page, r))


def test_rule2_module_docstring_is_row0_and_imports_share_it():
    page, rs = rows('''
        """
        ---
        title: T
        summary: S
        ---

        # Heading

        Intro.
        """
        import os
        import sys

        x = 1
    ''')
    assert rs[0].kind == "module"
    assert rs[0].note == "# Heading\n\nIntro."
    assert "title:" not in rs[0].note
    assert code(page, rs[0]) == ["import os", "import sys", "", "x = 1"]
    assert page.meta.title == "T" and page.meta.summary == "S"


def test_rule3_def_docstring_is_the_note_of_the_signature_row_and_body_starts_a_new_row():
    page, rs = rows('''
        @decorator
        def f(a,
              b):
            """Doc of f."""
            return a + b
    ''')
    assert rs[0].kind == "docstring" and rs[0].note == "Doc of f."
    assert code(page, rs[0]) == ["@decorator", "def f(a,", "      b):"]
    assert code(page, rs[1]) == ["    return a + b"]
    assert rs[1].note == ""


def test_rule3_comment_above_a_def_joins_its_docstring():
    page, rs = rows('''
        # About the class
        class A:
            """Doc."""
            x = 1
    ''')
    assert rs[0].note == "About the class\n\nDoc."
    assert code(page, rs[0]) == ["class A:"]


def test_rule4_comment_after_code_starts_a_new_row():
    page, rs = rows('''
        x = 1
        # about y
        y = 2
    ''')
    assert [(r.note, code(page, r)) for r in rs] == [("", ["x = 1"]), ("about y", ["y = 2"])]


def test_rule4_blank_line_between_notes_starts_a_new_row_otherwise_joins():
    page, rs = rows('''
        # first
        # still first

        # second
        y = 2
    ''')
    assert [r.note for r in rs] == ["first\nstill first", "second"]
    assert rs[0].lines == [] and code(page, rs[1]) == ["y = 2"]


def test_rule5_def_starts_a_new_row_when_the_row_has_code_but_if_for_with_do_not():
    page, rs = rows('''
        x = 1
        def f():
            for i in range(3):
                if i:
                    with open("f") as g:
                        pass
        @a
        def g():
            pass
        @b
        def h():
            pass
    ''')
    assert [code(page, r)[0] for r in rs] == ["x = 1", "def f():", "@a", "@b"]
    assert len(code(page, rs[1])) == 5


def test_rule6_blank_lines_trimmed_at_row_edges_kept_inside():
    page, rs = rows('''
        # note

        a = 1

        b = 2

        # next
        c = 3
    ''')
    assert code(page, rs[0]) == ["a = 1", "", "b = 2"]


def test_rule7_empty_rows_dropped_note_only_rows_kept():
    page, rs = rows('''
        x = 1
        #

        # a note with no code after it
    ''')
    assert [(r.note, code(page, r)) for r in rs] == [("", ["x = 1"]), ("a note with no code after it", [])]


def test_lone_empty_comment_starts_a_row_with_empty_note_and_is_a_paragraph_break_inside_a_block():
    page, rs = rows('''
        def f(x):
            # Explain
            #
            # more explanation
            y = x * 2
            #
            return y
    ''')
    assert rs[1].note == "Explain\n\nmore explanation"
    assert code(page, rs[1]) == ["    y = x * 2"]
    assert rs[2].note == "" and code(page, rs[2]) == ["    return y"]


def test_end_of_line_comments_and_comments_inside_strings_stay_code():
    page, rs = rows('''
        x = f(a,  # shape
              b)
        s = """
        # not a note
        """
    ''')
    assert len(rs) == 1 and len(rs[0].lines) == 5


def test_full_line_comments_inside_brackets_are_notes_that_split_the_statement():
    page, rs = rows('''
        conf = dict(
            # Use $256$ hidden units, see [the paper](paper.html)
            d_model=256,
            # Two heads
            heads=2,
        )
        layers = [
            # first
            1,
        ]
    ''')
    assert [r.note for r in rs] == ["", "Use $256$ hidden units, see [the paper](paper.html)", "Two heads", "first"]
    assert code(page, rs[0]) == ["conf = dict("]
    assert code(page, rs[1]) == ["    d_model=256,"]
    assert code(page, rs[2]) == ["    heads=2,", ")", "layers = ["]
    assert code(page, rs[3]) == ["    1,", "]"]
    assert not any(line.lstrip().startswith("#") for r in rs for line in code(page, r))


def test_rule9_ids_are_qualified_names_plus_ordinals_and_stable():
    src = '''
        """Intro"""
        import os

        class A:
            """A."""
            def f(self):
                """f."""
                x = 1
                # two
                y = 2
                return y

        def g():
            pass
    '''
    _, rs = rows(src)
    assert [r.id for r in rs] == ["top", "A", "A.f", "A.f-1", "A.f-2", "g"]
    # A row added in g leaves the ids inside A unchanged.
    _, rs2 = rows(src.replace("            pass", "            x = 1\n            # more\n            pass"))
    assert [r.id for r in rs2][:5] == ["top", "A", "A.f", "A.f-1", "A.f-2"]
    assert [r.id for r in rs2][5:] == ["g", "g-1"]


def test_readme_is_one_note_only_row_and_title_comes_from_the_first_heading():
    page = parse_markdown("Some words\n\n# The Title\n\ntext\n", "x/readme.md")
    assert len(page.rows) == 1 and page.rows[0].lines == []
    assert page.meta.title == "The Title"


def test_title_falls_back_to_front_matter_then_heading_then_the_path():
    assert parse_python('"""\n---\ntitle: FM\n---\n# H\n"""\n', "a/b.py").meta.title == "FM"
    assert parse_python('"""\n# H\n"""\n', "a/b.py").meta.title == "H"
    assert parse_python("x = 1\n", "models/conv_mixer/__init__.py").meta.title == "Conv mixer"
    assert parse_python("x = 1\n", "a/layer_norm.py").meta.title == "Layer norm"


def test_comment_inside_a_multi_line_signature_is_a_note_like_anywhere_else():
    page, rs = rows('''
        def f(
            a,
            # about b
            b,
        ):
            return a
    ''')
    assert [(r.id, r.note) for r in rs] == [("f", ""), ("f-1", "about b")]
    assert code(page, rs[0]) + code(page, rs[1]) == ["def f(", "    a,", "    b,", "):", "    return a"]


def test_a_definition_right_after_the_module_docstring_starts_its_own_row():
    page, rs = rows('''
        """The page introduction."""


        def f():
            """Doc of f."""
            return 1
    ''')
    assert [(r.kind, r.note) for r in rs][:2] == [("module", "The page introduction."), ("docstring", "Doc of f.")]
