r"""
---
title: Position-wise Feed-Forward Network
summary: A readable PyTorch implementation of the two-layer MLP applied to every position of a Transformer.
paper: "1706.03762"
---

# Position-wise Feed-Forward Network

The second sub-layer of every [Transformer](index.html) layer
([Attention Is All You Need](https://arxiv.org/abs/1706.03762), section 3.3) is a small MLP applied to
each position separately and identically:

$$\operatorname{FFN}(x) = \sigma(x W_1 + b_1) W_2 + b_2$$

with $W_1 \in \mathbb{R}^{d_{model} \times d_{ff}}$ and $W_2 \in \mathbb{R}^{d_{ff} \times d_{model}}$.
The original Transformer uses $\sigma = \operatorname{ReLU}$ and $d_{ff} = 4 d_{model}$;
BERT, the [Vision Transformer](vit/index.html) and [MLP-Mixer](mlp_mixer/index.html) use the GELU
$\sigma(x) = x \, \Phi(x)$, where $\Phi$ is the standard normal CDF, which is the default here.

Attention mixes information between positions; this network transforms each position's features.
In MLP-Mixer this module is the *channel-mixing* MLP. The *token-mixing* MLP has the same two-layer shape
but is its own class, [`TokenMixing`](mlp_mixer/index.html#TokenMixing): it acts on the columns of the
transposed table, its width is tied to the number of tokens, and it can stand in for attention.
"""

import torch
from torch import nn


class FeedForward(nn.Module):
    r"""
    ## Feed-forward module

    * `d_model` is the width of the input and output, $d_{model}$
    * `d_ff` is the width of the hidden layer, $d_{ff}$
    * `dropout` is the dropout probability applied to the hidden activations
    * `activation` is the non-linearity $\sigma$; `None` means GELU

    Parameters: $2 \, d_{model} d_{ff} + d_{ff} + d_{model}$.
    """

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0, activation: nn.Module | None = None):
        super().__init__()
        # First layer, $x W_1 + b_1$
        self.layer1 = nn.Linear(d_model, d_ff)
        # Second layer, $h W_2 + b_2$
        self.layer2 = nn.Linear(d_ff, d_model)
        # $\sigma$
        self.activation = activation if activation is not None else nn.GELU()
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """
        `x` is `[..., d_model]`: any number of leading dimensions, each position is transformed
        on its own.
        """
        h = self.activation(self.layer1(x))  # [..., d_ff]
        h = self.dropout(h)
        return self.layer2(h)  # [..., d_model]
