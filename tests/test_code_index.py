"""Definitions for the search index (code_index) and figures with captions (figures): pure functions."""

from __future__ import annotations

from types import SimpleNamespace

from site_builder.code_index import definitions, search_records
from site_builder.figures import figures

SOURCE = '''\
import torch


class Layer(torch.nn.Module):
    """A layer."""

    def __init__(self):
        super().__init__()

    @staticmethod
    @torch.no_grad()
    def forward(x):
        def inner(y):
            return y
        return inner(x)


async def fetch():
    pass
'''


def test_definitions_by_name_and_qualified_name():
    found = [(d.qualname, d.kind, d.line) for d in definitions(SOURCE)]
    assert found == [("Layer", "class", 4), ("Layer.__init__", "method", 7), ("Layer.forward", "method", 10),
                     ("Layer.forward.inner", "function", 13), ("fetch", "function", 18)]
    assert definitions("def broken(:\n") == []


def test_records_open_the_row_that_holds_the_definition():
    rows = [SimpleNamespace(id="top", lines=[1]), SimpleNamespace(id="Layer", lines=[4]),
            SimpleNamespace(id="Layer.__init__", lines=[7, 8]),
            SimpleNamespace(id="Layer.forward", lines=[10, 11, 12, 13, 14, 15]), SimpleNamespace(id="x", lines=[])]
    records = search_records(SOURCE, rows, "/zh/page.html", "zh", "Page")
    urls = {r["meta"]["title"]: r["url"] for r in records}
    assert urls == {"Layer": "/zh/page.html#Layer", "Layer.__init__": "/zh/page.html#Layer.__init__",
                    "Layer.forward": "/zh/page.html#Layer.forward",
                    "Layer.forward.inner": "/zh/page.html#Layer.forward"}  # fetch (line 18) is in no row
    forward = next(r for r in records if r["meta"]["title"] == "Layer.forward")
    assert forward["content"] == "Layer.forward forward" and forward["language"] == "zh"
    assert forward["meta"]["kind"] == "definition" and forward["meta"]["page"] == "Page"


def test_an_image_paragraph_with_an_emphasised_caption_becomes_a_figure():
    html = '<p><img src="a.svg" alt="A diagram"></p>\n<p><em>The caption, with <code>x</code>.</em></p>\n'
    assert figures(html) == ('<figure><img src="a.svg" alt="A diagram"><figcaption>The caption, with '
                             '<code>x</code>.</figcaption></figure>\n')
    # Not a caption: emphasis that is only part of the paragraph, or an image inside text.
    for other in ('<p><img src="a.svg" alt=""></p>\n<p><em>Part</em> of a paragraph.</p>',
                  '<p>See <img src="a.svg" alt=""> here.</p>\n<p><em>Caption</em></p>'):
        assert "<figure>" not in figures(other)


def test_code_lines_carry_their_numbers_and_indent():
    from site_builder.code_lines import numbered_code

    html = numbered_code('<span class="k">def</span> f():\n    <span class="k">return</span> 1\n', [3, 4, 7])
    assert html == ('<span class="line" data-n="3"><span class="k">def</span> f():\n</span>'
                    '<span class="line" data-n="4" style="--i:4">    <span class="k">return</span> 1\n</span>'
                    '<span class="line" data-n="7">\n</span>')
    assert numbered_code("", []) == ""
