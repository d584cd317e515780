r"""
---
title: Masked language model experiment on this site's own notes
summary: A small masked language model, with attention or MLP-Mixer token mixing, trained on this repository's notes.
---

# Training a masked language model on this site's notes

This trains a [masked language model](index.html) (MLM) on text that is always at hand: the English
notes of this repository, extracted by the site's own parser (every note you are reading, this one
included). Nothing is downloaded, and it runs on a laptop CPU:

```bash
python -m labml_nn.transformers.mlm.experiment
```

![Loss and accuracy](experiment.png)

The plot above is seed 0 of three runs of each model:

```bash
python -m labml_nn.transformers.mlm.experiment --deterministic --seed 0   # and --seed 1, --seed 2
python -m labml_nn.transformers.mlm.experiment --deterministic --seed 0 --mixer mlp_mixer
```

| after 12 epochs, mean ± std over 3 seeds | validation loss | masked bytes predicted exactly |
|---|---|---|
| attention (the defaults) | **1.965 ± 0.082** | 47.1% ± 2.2% |
| `--mixer mlp_mixer` | **1.625 ± 0.017** | 57.9% ± 0.9% |
| context-free baseline | 3.310 | |
| unigram baseline | 3.597 | |

A run took 227 ± 48 seconds (attention, 9,564 tokens per second) and 111 ± 26 seconds (Mixer, 20,242 tokens
per second) of wall time on one thread of a 2-core Intel Xeon virtual machine (PyTorch 2.13.0, CPU) that other
jobs were sharing at the time (load average about 7). The text is the notes of the repository at commit c42a902,
where these numbers were measured (before this paragraph held them); any edit to a page changes the text, so a
later commit gives slightly different numbers.

## What is learned

The text is cut into windows of `seq_len` bytes by a
[byte-level tokenizer](../../experiments/data.html#ByteTokenizer).
In every window 15% of the positions are chosen; the model sees them as `[MASK]` (or a random or an
unchanged byte) and must predict the original byte from the context on *both* sides.
The loss is the cross-entropy on the chosen positions only, and the accuracy is the fraction of
chosen bytes predicted exactly.

## Is that good?

A model that ignores the context can still look at the masked position itself. Where it sees `[MASK]`
(80% of the chosen bytes) it can do no better than the byte frequencies of the training text, the *unigram*
loss. But 10% of the chosen bytes are left unchanged and 10% are replaced by random bytes, so a visible byte
is the answer about half the time; the best such model reaches the lower
[*context-free* baseline](../../experiments/data.html#context_free_baseline) (3.310 against 3.597 here).
Both are printed next to the validation loss and drawn as dashed lines in the plot; only the distance below
the context-free line is what the model learned from context.

## Attention or token mixing

`--mixer mlp_mixer` replaces every self-attention layer by an MLP across the sequence,
the [token-mixing](../mlp_mixer/index.html#TokenMixing) layer of MLP-Mixer, and drops the position
embeddings (the token-mixing weights are specific to each position already):

```bash
python -m labml_nn.transformers.mlm.experiment --mixer mlp_mixer
```

`--mixer fnet` replaces it by the parameter-free [Fourier transform of FNet](../fnet/index.html) and keeps
the position embeddings; `--mixer gmlp` makes every layer a [gMLP block](../gmlp/index.html#GMLPBlock)
(no attention and no separate feed-forward network; its $d_{ffn}$ is `--d-ff`). A gMLP block of the same
widths has fewer parameters than a Transformer layer, so at the defaults the gMLP model is the smallest.

## Four mixers at one parameter budget

Three runs of each mixer (seeds 0, 1 and 2, `--deterministic`), each with the `--d-ff` of `MATCHED_D_FF` below,
which gives it about the parameters of the default attention model: 335,618. All twelve runs read the notes of
commit a2c5b6d; the text differs from the table above, and so do its baselines (unigram 3.531, context-free
3.247). For example:

```bash
python -m labml_nn.transformers.mlm.experiment --deterministic --seed 0 --mixer fnet --d-ff 512
```

| `--mixer` | `--d-ff` | parameters | validation loss | masked bytes predicted exactly | tokens/s |
|---|---|---|---|---|---|
| `attention` | 256 | 335,618 | 1.471 ± 0.142 | 59.8% ± 3.4% | 11,634 |
| `mlp_mixer` | 416 | 335,810 | 1.291 ± 0.018 | 65.0% ± 0.7% | 11,458 |
| `fnet` | 512 | 335,106 | 2.209 ± 0.015 | 42.3% ± 0.6% | 19,784 |
| `gmlp` | 686 | 335,610 | 1.260 ± 0.018 | 66.5% ± 0.7% | 17,020 |

Mean ± standard deviation over the three seeds after 12 epochs. The per-seed validation losses were 1.630,
1.426, 1.357 (attention); 1.271, 1.298, 1.304 (Mixer); 2.208, 2.226, 2.195 (FNet); 1.271, 1.238, 1.269 (gMLP).

At the same number of parameters the two mixers whose weights are tied to positions, gMLP's and MLP-Mixer's,
predict the masked bytes best and most consistently; the gap between them (0.03) is less than two standard
deviations, so three seeds do not order them. Attention is about 0.2 behind and varies most from seed to seed
(1.36 to 1.63). FNet, whose share of the budget all goes to its feed-forward networks, stays far behind, though
still far below the context-free baseline. On 32-byte windows, weights tied to positions are cheap and strong;
what attention gains by computing its weights from the data does not pay off in 12 epochs on this text. This
says nothing about longer sequences, more data or longer training, where the papers report attention ahead or
level. A run took 2.5 to 9 minutes of wall time on one thread of a 2-core virtual machine shared with other
jobs (load average 4 to 12), 1.9 to 4.1 minutes of CPU time where it was measured; tokens/s is the last epoch's,
the median over the seeds, and only a rough guide.

Any UTF-8 text works too: `--text-file book.txt`.
The training loop is the shared [trainer](../../experiments/trainer.html).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from labml_nn.experiments.config import OptionError, TrainConfig, option
from labml_nn.experiments.data import (
    ByteTokenizer,
    MaskedTextDataset,
    context_free_baseline,
    load_text,
    unigram_baseline,
    unseen_windows,
)
from labml_nn.experiments.trainer import Dist, Experiment, run, run_as_program
from labml_nn.transformers.mlm import MaskedLanguageModel


@dataclass
class Config(TrainConfig):
    """
    ## Configuration

    The defaults train a model of about 340 thousand parameters (230 thousand with `--mixer mlp_mixer`).
    """

    experiment: str = option("mlm", "name used for the run directory")
    epochs: int = option(12, "passes over the training set")
    batch_size: int = option(32, "global batch size (split across torchrun processes)")
    lr: float = option(3e-3, "peak learning rate")
    # `attention` for a Transformer encoder, `mlp_mixer` for token-mixing MLPs, `fnet` for the Fourier
    # transform, `gmlp` for gMLP blocks (whose $d_{ffn}$ is `d_ff`)
    mixer: Literal["attention", "mlp_mixer", "fnet", "gmlp"] = option(
        "attention", "token mixing: attention, mlp_mixer, fnet or gmlp")
    # Train on this UTF-8 file instead of the repository's notes
    text_file: str | None = option(None, "UTF-8 text to train on (default: this repository's notes)")
    seq_len: int = option(32, "tokens (bytes) per window", low=1)
    d_model: int = option(128, "token width d_model", low=1)
    n_layers: int = option(2, "encoder layers", low=1)
    n_heads: int = option(4, "attention heads (used by attention only)", low=1)
    d_ff: int = option(256, "feed-forward hidden width", low=1)
    dropout: float = option(0.0, "dropout probability", low=0, high=1, high_open=True)
    # The last `val_fraction` of the text is held out
    val_fraction: float = option(0.1, "fraction of the text used for validation", low=0, high=1,
                                 low_open=True, high_open=True)
    # Standard deviation of the initial position embeddings (attention only); see [below](#build)
    position_init_std: float = option(1.0, "initial std of position embeddings", low=0)

    def check(self) -> None:
        super().check()
        if self.mixer == "attention" and self.d_model % self.n_heads:
            raise OptionError(f"--n-heads {self.n_heads}: must divide --d-model {self.d_model}")
        if self.mixer == "gmlp" and self.d_ff % 2:
            raise OptionError(f"--d-ff {self.d_ff}: must be even for --mixer gmlp (it is split in two halves)")


# ## One parameter budget for the four mixers
#
# The `--d-ff` that gives each mixer, at the other defaults, about the parameters of the default attention
# model: 335,618. FNet's mixer has no parameters and MLP-Mixer's and gMLP's fewer than attention's, so they get
# a wider feed-forward network (for the Mixer, `d_ff` is also the width of its token-mixing MLP). The
# [comparison above](#top) uses these.
MATCHED_D_FF: dict[str, int] = {"attention": 256, "mlp_mixer": 416, "fnet": 512, "gmlp": 686}


def mlm_loss(model: nn.Module, batch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """
    Summed cross-entropy over the masked positions, the number predicted correctly and the number of
    masked positions. `inputs` and `labels` are `[B, seq_len]`; `labels` is -100 where nothing is asked.
    """
    inputs, labels = batch
    # `[B, seq_len, vocab_size]`
    logits = model(inputs)
    loss_sum = F.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=-100, reduction="sum")
    asked = labels != -100
    correct = ((logits.argmax(-1) == labels) & asked).sum()
    return loss_sum, correct, asked.sum()


def build(config: Config, d: Dist) -> Experiment:
    r"""
    ## Data and model

    The text is split once, by position: the first $90\%$ trains and the rest validates, so validation
    windows never overlap training ones. Training windows start every `seq_len / 2` bytes (each byte is
    seen in two contexts); validation windows do not overlap. Text repeats itself, so a validation window
    may still appear word for word somewhere in the training part; those windows are
    [left out](../../experiments/data.html#unseen_windows) (the repository's notes are also
    [deduplicated](../../experiments/data.html#repository_notes) before the split).
    """
    tok = ByteTokenizer()
    tokens = tok.encode(load_text(config.text_file))
    n_val = int(len(tokens) * config.val_fraction)
    train_tokens, val_tokens = tokens[: len(tokens) - n_val], tokens[len(tokens) - n_val:]
    # Random replacements are drawn from the 256 byte values only, never `[PAD]` or `[MASK]`
    common = dict(vocab_size=256, mask_id=tok.mask_id, no_mask_ids=(tok.pad_id,))
    train_set = MaskedTextDataset(train_tokens, config.seq_len, max(1, config.seq_len // 2),
                                  seed=config.seed, **common)
    # The validation masks are fixed (seed 0, epoch 0) whatever `--seed` is, so runs compare fairly
    val_starts = unseen_windows(train_tokens, val_tokens, config.seq_len)
    val_set = MaskedTextDataset(val_tokens, config.seq_len, config.seq_len, seed=0, starts=val_starts, **common)
    # The baselines are computed on exactly the masked positions the model is evaluated on
    val_inputs, val_labels = (torch.stack(t) for t in zip(*(val_set[i] for i in range(len(val_set))),
                                                           strict=True))
    unigram = unigram_baseline(train_tokens, val_labels, tok.vocab_size)
    context_free = context_free_baseline(train_tokens, val_inputs, val_labels, n_random=256)
    model = MaskedLanguageModel(vocab_size=tok.vocab_size, seq_len=config.seq_len, d_model=config.d_model,
                                n_layers=config.n_layers, n_heads=config.n_heads, d_ff=config.d_ff,
                                mixer=config.mixer, dropout=config.dropout)
    # ### Louder positions
    #
    # Token embeddings start as $\mathcal{N}(0, 1)$ vectors, position embeddings at $\sigma = 0.02$:
    # fifty times quieter. Attention then barely knows *where* a byte is, and has to grow its position
    # signal before it can look at the neighbours that predict a masked byte; on a one-minute budget the
    # loss sits on the unigram plateau for most of the run. Starting the positions at the same scale as
    # the tokens lets attention find its neighbours within a few epochs. (The Mixer's token-mixing
    # weights are tied to positions from the start.)
    if model.position_embedding is not None:
        nn.init.normal_(model.position_embedding.positional_encodings, std=config.position_init_std)
    if d.main:
        dropped = len(range(0, len(val_tokens) - config.seq_len + 1, config.seq_len)) - len(val_starts)
        print(f"text: {len(train_tokens):,} training and {len(val_tokens):,} validation bytes "
              f"({dropped} validation windows found in the training text left out); "
              f"baselines: unigram {unigram:.4f}, context-free {context_free:.4f}", flush=True)
    # Throughput counts every token of a window, masked or not
    return Experiment(model=model, train_set=train_set, val_set=val_set, loss=mlm_loss,
                      extra={"unigram_loss": unigram, "context_free_loss": context_free},
                      unit="tokens", items=lambda batch: batch[0].numel())


def main(argv: list[str] | None = None):
    """Train, then print the validation loss next to the context-free baseline."""
    config, run_dir, history = run(Config, build, argv, description="Train a masked language model.",
                                   prog="python -m labml_nn.transformers.mlm.experiment")
    if run_dir is not None:
        last = history[-1]
        print(f"final validation loss {last['val_loss']:.4f} vs context-free baseline "
              f"{last['context_free_loss']:.4f} (masked-byte accuracy {100 * last['val_accuracy']:.2f}%); "
              f"outputs in {run_dir}")
    return history


#
if __name__ == "__main__":
    run_as_program(main)
