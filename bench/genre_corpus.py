"""A corpus that looks like the genre (nn.labml.ai's sources), made up deterministically for benchmarks.

    python bench/genre_corpus.py DEST [--files 222] [--seed 0]

Every file is distinct: long modules with ordinary (non-raw) docstrings full of LaTeX (`\\frac`,
bare `\\begin{align}`, `\\big`, `\\times`, `\\\\`), about 15 formulas and 23 notes per page, Sphinx
`:param` fields, notes inside a multi-line dict, headings with links, and readmes. Beside the
sources it writes a translation store in pylit's layout (`translate_cache/<path>.<lang>.json`,
keys re-wrapped with `&#x27;` and a space before `</p>`, as that tool writes them) for zh and ja,
where about 5% of notes have no translation and 5% have one for an older wording (stale).
`bench/translations.py` and `bench/build.py` build it.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = ("attention layer model vector token embedding residual gradient weight matrix sequence batch "
         "channel feature head query key value projection normalization dropout activation output input "
         "kernel patch position encoding decoder encoder network loss update optimizer step variance "
         "mean sample policy reward state action advantage value estimate").split()
VERBS = "computes projects normalizes scales splits mixes adds multiplies stores returns gives takes".split()
TEX = [r"\frac{Q K^\top}{\sqrt{d_k}}", r"\sum_{i=1}^{N} x_i", r"\big( W_1 x + b_1 \big)", r"h \times w",
       r"\mathop{softmax}(z)_i", r"\alpha_{ij}", r"\vec{v}", r"\mathbb{E}_{x \sim p}\big[ f(x) \big]",
       r"\sigma(x)", r"\gamma \lambda \hat{A}_{t+1}", r"\log \pi_\theta(a_t | s_t)", r"d_{model}",
       r"\operatorname{LayerNorm}(x)", r"\epsilon = 10^{-5}", r"\beta_1, \beta_2"]
CJK = {"zh": "模型向量计算层输入输出权重通道注意力残差梯度序列批量特征",
       "ja": "モデルベクトル計算層入力出力重みチャネル勾配系列特徴"}


def sentence(rng: random.Random, formulas: int = 0) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
    words.insert(rng.randint(0, 3), rng.choice(VERBS))
    for _ in range(formulas):
        words.insert(rng.randint(1, len(words)), f"${rng.choice(TEX)} + {rng.randint(0, 99)}$")
    if rng.random() < 0.2:
        words.insert(rng.randint(1, len(words)), "isn't")
    text = " ".join(words)
    return text[:1].upper() + text[1:] + "."


def paragraph(rng: random.Random, sentences: int, formulas: int, width: int = 88) -> str:
    text = " ".join(sentence(rng, formulas if i == 0 else 0) for i in range(sentences))
    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False)


def comment(rng: random.Random, indent: str, formulas: int = 0) -> list[str]:
    return [indent + "# " + line for line in paragraph(rng, rng.randint(1, 2), formulas, 80).split("\n")]


def module(rng: random.Random, name: str, n: int) -> str:
    title = f"{name.replace('_', ' ').title()} {n}"
    out = ['"""', "---", f"title: {title}", "summary: >", f"  {sentence(rng)}", "---", "",
           f"# [{title}](index.html)", "", paragraph(rng, 3, 1), "", "$$", rng.choice(TEX) + f" = {n}", "$$",
           "", paragraph(rng, 2, 1), '"""', "", "import math", "", "import torch", "from torch import nn", ""]
    for c in range(3):
        out += ["", f"class Block{n}_{c}(nn.Module):", '    """', f"    ## Block {c} of {title}", "",
                *textwrap.indent(paragraph(rng, 2, 2), "    ").split("\n"), "",
                "    \\begin{align}", f"    h_{c} &= \\frac{{x W_{c}}}{{\\sqrt{{d}}}} \\times \\big(1 + {c}\\big) \\\\",
                f"    y_{c} &= \\vec{{v}}_{c} + \\alpha h_{c}", "    \\end{align}", '    """', "",
                "    def __init__(self, d_model: int, heads: int, dropout: float = 0.1):", '        """',
                "        :param d_model: is the number of features $d_{model}$",
                "        :param heads: is the number of heads",
                "            (each gets $d_{model} / h$ features)", "        :param dropout: the dropout probability",
                '        """', "        super().__init__()"]
        for k in range(3):
            out += ["", *comment(rng, "        ", 1 if k == 0 else 0),
                    f"        self.layer{k} = nn.Linear(d_model, d_model)"]
        out += ["", "    def forward(self, x: torch.Tensor):", '        """',
                *textwrap.indent(paragraph(rng, 1, 1), "        ").split("\n"), "",
                "        :param x: has shape `[seq_len, batch_size, d_model]`",
                "        :return: the output, same shape",
                '        """']
        for k in range(3):
            out += ["", *comment(rng, "        ", 1 if k % 2 else 0),
                    f"        x = self.layer{k}(x) * math.sqrt({k + 1})"]
        out += ["        return x"]
    out += ["", "", "def configs():", '    """', "    ### Configurations", "", *textwrap.indent(
        paragraph(rng, 1, 0), "    ").split("\n"), '    """', "    return dict("]
    for k in range(3):
        out += [*comment(rng, "        "), f"        option_{k}={k},"]
    out += ["    )", ""]
    return "\n".join(out)


def pylit_key(key: str, rng: random.Random) -> str:
    """How pylit writes a key: lines re-wrapped, apostrophes escaped, a space before `</p>`."""
    def rewrap(m: re.Match) -> str:
        inner = textwrap.fill(m.group(1), rng.randint(50, 90), break_long_words=False, break_on_hyphens=False)
        return f"<p>{inner} </p>"

    return re.sub(r"<p>(.*?)</p>", rewrap, key, flags=re.S).replace("'", "&#x27;")


def translate(key: str, lang: str, rng: random.Random) -> str:
    """A stand-in translation: text replaced by characters of the language, tags and placeholders kept."""
    chars = CJK[lang]
    parts = re.split(r"(<[^>]+>|_\^_\d+_\^_)", key)
    return "".join(p if p.startswith(("<", "_^_")) or not p.strip()
                   else "".join(rng.choice(chars) for _ in range(max(2, len(p) // 3))) + "。" for p in parts)


def make_genre_corpus(dest: Path, files: int = 222, seed: int = 0, languages: tuple[str, ...] = ("zh", "ja")) -> dict:
    from site_builder.notes import NotePreparer
    from site_builder.parser import parse_file
    from site_builder.translations.keys import page_keys

    rng = random.Random(seed)
    src = dest / "labml_nn"
    rels = []
    for n in range(files):
        folder = f"{rng.choice(['transformers', 'rl', 'normalization', 'diffusion', 'gan'])}/topic_{n // 6:02d}"
        name = "__init__" if n % 6 == 0 else f"part_{n % 6}"
        path = src / folder / f"{name}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(module(rng, folder.split("/")[0], n), "utf-8")
        rels.append(path.relative_to(src).as_posix())
        if n % 6 == 0:
            readme = f"# [Topic {n // 6}](index.html)\n\n{paragraph(rng, 2, 1)}\n"
            (path.parent / "readme.md").write_text(readme, "utf-8")
            rels.append((path.parent / "readme.md").relative_to(src).as_posix())
    (dest / "docs").mkdir(parents=True, exist_ok=True)
    (dest / "mkdocs.yml").write_text(
        "site_name: Genre bench\nsite_url: https://bench.example.org/\nuse_directory_urls: false\n"
        "theme:\n  name: annotated\nplugins:\n  - annotated:\n      source_dir: labml_nn\n"
        f"      languages: [{', '.join(('en', *languages))}]\n      translations_dir: translations\n", "utf-8")
    preparer = NotePreparer()
    notes = entries = 0
    for rel in rels:
        keys = [k.key for k in page_keys(parse_file(src / rel, rel), preparer)]
        notes += len(keys)
        for lang in languages:
            store = {}
            for key in keys:
                roll = rng.random()
                if roll < 0.05:
                    continue  # missing
                english = key.replace("<p>", "<p>Previously, ", 1) if roll < 0.10 else key  # stale
                store[pylit_key(english, rng)] = translate(english, lang, rng)
            entries += len(store)
            out = dest / "translate_cache" / f"{rel.rsplit('.', 1)[0]}.{lang}.json"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(store, ensure_ascii=False, indent=4), "utf-8")
    return {"pages": len(rels), "notes": notes, "entries": entries}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--files", type=int, default=222, help="source .py files (readmes come on top)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(make_genre_corpus(args.dest, args.files, args.seed))


if __name__ == "__main__":
    main()
