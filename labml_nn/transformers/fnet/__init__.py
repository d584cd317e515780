r"""
---
title: FNet (Fourier token mixing)
summary: A readable PyTorch implementation of FNet, a Transformer encoder whose attention is a Fourier transform.
paper: "2105.03824"
---

# FNet: Mixing Tokens with Fourier Transforms

This is a PyTorch implementation of
[FNet: Mixing Tokens with Fourier Transforms](https://arxiv.org/abs/2105.03824)
(Lee-Thorp, Ainslie, Eckstein and Ontañón, 2021).

FNet is BERT with every self-attention sub-layer replaced by a **fixed** transform that has no parameters:
a two-dimensional discrete Fourier transform over the sequence and the hidden dimension, of which only the
real part is kept (section 3.2, equation 3):

$$y = \Re\big(\mathcal{F}_\text{seq}\big(\mathcal{F}_\text{hidden}(x)\big)\big)$$

For a sequence $x_0, \dots, x_{N-1}$ the discrete Fourier transform is (equation 1)

$$X_k = \sum_{n=0}^{N-1} x_n\, e^{-\frac{2 \pi i}{N} n k}, \qquad 0 \le k \le N - 1$$

so each output position is a weighted sum of *all* input positions: the transform mixes tokens, like
attention, but with weights fixed in advance rather than computed from the data. The feed-forward
sub-layers that follow then do the non-linear work. The paper's abstract (arXiv version 4) reports 92 to
97% of the GLUE accuracy of the BERT models it is compared with, and training 80% faster on GPUs at 512
tokens: the FFT costs $O(N \log N)$ and no attention matrix is built.

Only the real part is kept, so the feed-forward sub-layers and the residual stream stay real-valued, and
the transform runs along the hidden dimension as well as along the sequence.

## The encoder layer

FNet keeps BERT's *post-norm* layer (figure 1):

\begin{align}
h &= \operatorname{LN}\big(x + \Re(\mathcal{F}(x))\big) \\
y &= \operatorname{LN}\big(h + \operatorname{FF}(h)\big)
\end{align}

and BERT's embeddings (word, position and segment type, summed and normalised), followed by a linear
*embedding projection*, and BERT's pre-training heads: masked language modelling (dense, GELU, LayerNorm and
the transposed word embeddings plus a bias) and next-sentence prediction on a *pooled* first token.
All of it is below, with the paper's configurations FNet-Base and FNet-Large, whose parameter counts the tests
check.

## As a mixer in this site's language model

[`FourierMixing`](#FourierMixing) takes the arguments of attention, so it can replace the attention of a
[pre-norm Transformer layer](../models.html#TransformerLayer). The [masked language model](../mlm/index.html)
does exactly that with `--mixer fnet`; its [experiment](../mlm/experiment.html) compares it with attention,
[MLP-Mixer](../mlp_mixer/index.html) and [gMLP](../gmlp/index.html).

## Where this code deviates from the paper

* The paper computes the DFT as an FFT on GPUs and as a product with the DFT matrices on TPUs; we use
  `torch.fft.fft2`, computed in `float32` (and in `float64` for `float64` inputs) because the FFT does not
  support `bfloat16`.
* The language model of this site uses the mixer in *pre-norm* layers (as all its layers are); the
  [`FNet`](#FNet) class below is post-norm, as the paper's.
* A padding mask, which the paper does not use (it pads every input to the full length), is honoured by
  zeroing the padded tokens before the transform, so their values cannot reach the real tokens.
"""

import torch
from torch import nn

from labml_nn.transformers.feed_forward import FeedForward
from labml_nn.transformers.gmlp import padding_keep

# ![FNet encoder layer: Fourier transform, add and LayerNorm, feed-forward, add and LayerNorm](fnet.svg)
#
# *The FNet encoder layer: BERT's post-norm layer with the self-attention sub-layer replaced by the real part of
# a two-dimensional Fourier transform, which has no parameters. Each LayerNorm comes after its residual
# addition.*

#

class FourierMixing(nn.Module):
    r"""
    ## Fourier token mixing

    $\Re(\mathcal{F}_\text{seq}(\mathcal{F}_\text{hidden}(x)))$. Called like attention,
    `FourierMixing()(query=x, key=x, value=x, mask=None)`; `key` and `value` are ignored. It has no
    parameters and works for any sequence length.
    """

    def forward(self, query: torch.Tensor, key: torch.Tensor | None = None, value: torch.Tensor | None = None,
                mask: torch.Tensor | None = None) -> torch.Tensor:
        """`query` is `[batch, seq, d_model]`; returns the same shape."""
        x = query
        # Zero the padded tokens of a padding mask `[batch, 1, 1, seq]`
        if mask is not None:
            x = x * padding_keep(mask, x.shape[0], x.shape[1]).to(x.dtype)  # [batch, seq, d_model]
        # The FFT needs single or double precision
        dtype = x.dtype
        z = x if dtype == torch.float64 else x.float()
        # $\mathcal{F}_\text{hidden}$ along the last axis, then $\mathcal{F}_\text{seq}$ along the
        # sequence: a 2-D DFT over both; keep the real part
        y = torch.fft.fft2(z, dim=(-2, -1)).real  # [batch, seq, d_model]
        return y.to(dtype)


class FNetLayer(nn.Module):
    r"""
    ## FNet encoder layer (post-norm)

    $h = \operatorname{LN}(x + \Re(\mathcal{F}(x)))$, $y = \operatorname{LN}(h + \operatorname{FF}(h))$,
    with a GELU [feed-forward network](../feed_forward.html#FeedForward) of width `d_ff`.
    """

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.mixing = FourierMixing()
        self.norm_mixing = nn.LayerNorm(d_model)
        self.feed_forward = FeedForward(d_model, d_ff, dropout=dropout)
        self.norm_ff = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x` is `[batch, seq, d_model]`; returns the same shape."""
        # Mix, add, normalise
        h = self.norm_mixing(x + self.mixing(x))  # [batch, seq, d_model]
        # Feed-forward, add, normalise
        return self.norm_ff(h + self.dropout(self.feed_forward(h)))  # [batch, seq, d_model]


class FNet(nn.Module):
    r"""
    ## FNet for pre-training

    The whole model of the paper: BERT's embeddings and an embedding projection, `n_layers` FNet layers, and
    the two pre-training heads.

    * `vocab_size` is 32,000 (the paper's SentencePiece vocabulary), `max_len` 512, `n_types` the number of
      segment types (4 in the authors' code; BERT has 2)
    * `d_model`, `d_ff`, `n_layers` size the encoder
    """

    def __init__(self, *, vocab_size: int = 32_000, max_len: int = 512, n_types: int = 4, d_model: int,
                 d_ff: int, n_layers: int, dropout: float = 0.0):
        super().__init__()
        # Word, position and segment-type embeddings, summed and normalised as in BERT
        self.word_embedding = nn.Embedding(vocab_size, d_model)
        self.position_embedding = nn.Embedding(max_len, d_model)
        self.type_embedding = nn.Embedding(n_types, d_model)
        self.embedding_norm = nn.LayerNorm(d_model)
        # The embedding projection, `[d_model]` to `[d_model]`
        self.embedding_projection = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList([FNetLayer(d_model, d_ff, dropout) for _ in range(n_layers)])
        # Pooler: a dense layer with tanh on the first token, for next-sentence prediction
        self.pooler = nn.Linear(d_model, d_model)
        self.nsp_head = nn.Linear(d_model, 2)
        # Masked-LM head: dense, GELU, LayerNorm, then the *transposed word embeddings* plus a bias per token
        self.mlm_dense = nn.Linear(d_model, d_model)
        self.mlm_norm = nn.LayerNorm(d_model)
        self.mlm_bias = nn.Parameter(torch.zeros(vocab_size))

    def forward(self, tokens: torch.Tensor, types: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """
        `tokens` and `types` are `[batch, seq]`. Returns masked-LM logits `[batch, seq, vocab_size]` and
        next-sentence logits `[batch, 2]`.
        """
        positions = torch.arange(tokens.shape[1], device=tokens.device)  # [seq]
        if types is None:
            types = torch.zeros_like(tokens)
        x = self.word_embedding(tokens) + self.position_embedding(positions) + self.type_embedding(types)
        x = self.dropout(self.embedding_projection(self.embedding_norm(x)))  # [batch, seq, d_model]
        for layer in self.layers:
            x = layer(x)  # [batch, seq, d_model]
        # Next-sentence prediction from the pooled first token
        nsp = self.nsp_head(torch.tanh(self.pooler(x[:, 0])))  # [batch, 2]
        # Masked-LM logits, tied to the word embeddings
        h = self.mlm_norm(nn.functional.gelu(self.mlm_dense(x)))  # [batch, seq, d_model]
        mlm = h @ self.word_embedding.weight.T + self.mlm_bias  # [batch, seq, vocab_size]
        return mlm, nsp


# ## The paper's configurations
#
# The paper's parameter counts for its Base and Large models:
#
# | Model | layers | $d_\text{model}$ | $d_{ff}$ | params (paper) | params (ours) |
# |---|---|---|---|---|---|
# | FNet-Base | 12 | 768 | 3072 | 83M | 83,486,722 |
# | FNet-Large | 24 | 1024 | 4096 | 238M | 238,031,106 |
#
# Both round to the paper's numbers *only with* the embedding projection: without it, FNet-Large has
# 236,981,506 parameters, 237M. The BERT models of the same table differ from these by exactly the attention
# projections, $4 \cdot (d_\text{model}^2 + d_\text{model})$ per layer.


def fnet_base() -> FNet:
    """FNet-Base"""
    return FNet(d_model=768, d_ff=3072, n_layers=12)


def fnet_large() -> FNet:
    """FNet-Large"""
    return FNet(d_model=1024, d_ff=4096, n_layers=24)
