r"""
---
title: Transformer Encoder Layer
summary: A readable PyTorch implementation of the pre-norm Transformer encoder layer and the encoder stack.
paper: "1706.03762"
---

# Transformer Encoder Layer

A [Transformer](index.html) encoder ([Attention Is All You Need](https://arxiv.org/abs/1706.03762),
section 3.1) is a stack of identical layers. Each layer has two sub-layers, each wrapped in a residual
connection:

1. a *token-mixing* sub-layer that lets positions exchange information, normally
   [multi-head self-attention](mha.html#MultiHeadAttention), and
2. a *position-wise* [feed-forward network](feed_forward.html#FeedForward).

The original paper normalises *after* adding the residual (post-norm), $x + \operatorname{Sublayer}(x)$
followed by LayerNorm. The [Vision Transformer](vit/index.html) (equations 2 and 3 of its paper), GPT-2 and
most recent models normalise the *input* of each sub-layer instead (pre-norm):

$$z' = z + \operatorname{MSA}(\operatorname{LN}(z)),
  \qquad z'' = z' + \operatorname{MLP}(\operatorname{LN}(z'))$$

With pre-norm the residual path from input to output is an identity, so gradients reach early layers
undisturbed. [Xiong et al. (2020)](https://arxiv.org/abs/2002.04745) show that this keeps the gradients
of a freshly initialised pre-norm Transformer well-behaved, so it can be trained with much less, or even
no, learning-rate warm-up, which post-norm needs. Less is not none: every experiment on this site still
warms up over its first 10% of steps, because AdamW's second-moment estimates are noisy at the start
whatever the architecture. Because the residual stream itself is never normalised, the encoder ends with
one more LayerNorm. All of them are `torch.nn.LayerNorm`; the
[annotated LayerNorm](../normalization/layer_norm/index.html) computes the same and is tested against it.

### Stochastic depth

[Deep Networks with Stochastic Depth](https://arxiv.org/abs/1603.09382) (Huang et al., 2016) drops whole
residual branches at random while training: each sample skips a sub-layer with probability $p$, and the
surviving branches are scaled by $\frac{1}{1 - p}$ so that the expected output is unchanged, and at evaluation
every branch is used unscaled. (The paper scales the branches by $1 - p$ at evaluation instead; DeiT and
this code scale while training, which is the same in expectation.) DeiT trains ViT on ImageNet with it, and
the MLP-Mixer paper uses it when training from scratch on ImageNet; here it is off ($p = 0$) unless
`drop_path` is given.

The layer takes the mixing module as an argument, so the same code builds a Transformer with attention and,
with the [token-mixing MLP of MLP-Mixer](mlp_mixer/index.html#TokenMixing), a Mixer for sequences.
"""

import copy
from collections.abc import Callable, Sequence

import torch
from torch import nn

# ![Pre-norm encoder layer: LayerNorm, token mixing, LayerNorm, feed-forward, residuals](encoder_layer.svg)
#
# *A pre-norm encoder layer. Each sub-layer normalises its input and adds its output back to the residual
# stream, so the path from input to output is an identity; the encoder ends with one more LayerNorm.*

#

class DropPath(nn.Module):
    r"""
    ## Drop a residual branch

    Multiplies each sample's branch by $\frac{b}{1 - p}$ with $b \sim \operatorname{Bernoulli}(1 - p)$
    drawn once per sample, in training only.
    """

    def __init__(self, p: float = 0.0):
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"drop probability must be in [0, 1), got {p}")
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x` is `[batch, ...]`; returns the same shape."""
        if not self.training or self.p == 0:
            return x
        keep = 1 - self.p
        # One draw per sample, broadcast over the other dimensions
        b = torch.empty((x.shape[0],) + (1,) * (x.dim() - 1), device=x.device, dtype=x.dtype).bernoulli_(keep)
        return x * b / keep


def drop_path_rates(p: float, n_layers: int) -> list[float]:
    r"""
    The linear decay rule of the stochastic depth paper: layer $\ell$ of $L$ drops with
    $p_\ell = \frac{\ell}{L} p$, so the first layers, whose features every later layer needs, are kept most.
    """
    return [p * (i + 1) / n_layers for i in range(n_layers)]


class TransformerLayer(nn.Module):
    r"""
    ## Pre-norm encoder layer

    * `d_model` is the width of the token vectors
    * `self_attn` is the token-mixing module. It is called as
      `self_attn(query=z, key=z, value=z, mask=mask)` with `z` shaped `[batch, seq, d_model]`
      and must return the same shape:
      a [`MultiHeadAttention`](mha.html#MultiHeadAttention) or a
      [`TokenMixing`](mlp_mixer/index.html#TokenMixing)
    * `feed_forward` is the position-wise module, e.g. a [`FeedForward`](feed_forward.html#FeedForward)
    * `dropout` is applied to the output of each sub-layer before it is added to the residual stream
    * `drop_path` is the probability of skipping each sub-layer for a sample ([stochastic depth](#DropPath))
    """

    def __init__(self, d_model: int, self_attn: nn.Module, feed_forward: nn.Module, dropout: float = 0.0,
                 drop_path: float = 0.0):
        super().__init__()
        self.d_model = d_model
        self.self_attn = self_attn
        self.feed_forward = feed_forward
        # One LayerNorm in front of each sub-layer
        self.norm_self_attn = nn.LayerNorm(d_model)
        self.norm_ff = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)
        self.drop_path = DropPath(drop_path)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """
        `x` is `[batch, seq, d_model]`; `mask` is passed unchanged to `self_attn`.
        """
        # Normalise, mix tokens, add the residual: $z' = z + \operatorname{MSA}(\operatorname{LN}(z))$
        z = self.norm_self_attn(x)  # [batch, seq, d_model]
        x = x + self.drop_path(self.dropout(self.self_attn(query=z, key=z, value=z, mask=mask)))
        # Normalise, transform each position, add the residual:
        # $z'' = z' + \operatorname{MLP}(\operatorname{LN}(z'))$
        z = self.norm_ff(x)  # [batch, seq, d_model]
        x = x + self.drop_path(self.dropout(self.feed_forward(z)))  # [batch, seq, d_model]
        #
        return x


class Encoder(nn.Module):
    """
    ## Encoder stack

    `layers` is one of

    * a factory, a function that returns a new layer each time it is called; it is called `n_layers` times,
    * a single layer module, which is deep-copied `n_layers` times, or
    * a sequence of layer modules, used as given (`n_layers` may then be left out).

    `d_model` is the width of the final LayerNorm; when it is left out it is read from the first layer's
    `d_model` attribute.
    """

    def __init__(
        self,
        layers: Callable[[], nn.Module] | nn.Module | Sequence[nn.Module],
        n_layers: int | None = None,
        d_model: int | None = None,
    ):
        super().__init__()
        # Build the list of layers
        if isinstance(layers, nn.Module) and not isinstance(layers, nn.ModuleList):
            if n_layers is None:
                raise ValueError("n_layers is needed to copy a single layer")
            built = [copy.deepcopy(layers) for _ in range(n_layers)]
        elif callable(layers):
            if n_layers is None:
                raise ValueError("n_layers is needed with a layer factory")
            built = [layers() for _ in range(n_layers)]
        else:
            built = list(layers)
            if n_layers is not None and n_layers != len(built):
                raise ValueError(f"got {len(built)} layers but n_layers={n_layers}")
        self.layers = nn.ModuleList(built)
        if d_model is None:
            d_model = self.layers[0].d_model
        # The final LayerNorm, needed because pre-norm layers leave the residual stream unnormalised
        self.norm = nn.LayerNorm(d_model)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """
        `x` is `[batch, seq, d_model]`; returns the same shape.
        """
        for layer in self.layers:
            x = layer(x, mask=mask)  # [batch, seq, d_model]
        #
        return self.norm(x)  # [batch, seq, d_model]
