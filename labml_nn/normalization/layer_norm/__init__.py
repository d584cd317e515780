r"""
---
title: Layer Normalization
summary: A readable PyTorch implementation of layer normalization, the normalization used by Transformers.
paper: "1607.06450"
---

# Layer Normalization

This is a PyTorch implementation of [Layer Normalization](https://arxiv.org/abs/1607.06450)
(Ba, Kiros and Hinton, 2016).

[Batch normalization](../batch_norm/index.html) normalises a feature across the *batch*. That is awkward when
batches are small, when sequences have different lengths, and when training and inference should behave the
same. Layer normalization computes the statistics over the *features of one sample* instead (section 3):
for an input $x \in \mathbb{R}^H$ of $H$ features

\begin{align}
\mu &= \frac{1}{H} \sum_{i=1}^H x_i & \sigma^2 &= \frac{1}{H} \sum_{i=1}^H (x_i - \mu)^2 \\
\hat{x}_i &= \frac{x_i - \mu}{\sqrt{\sigma^2 + \epsilon}} & y_i &= \gamma_i \hat{x}_i + \beta_i
\end{align}

The gain $\gamma \in \mathbb{R}^H$ and bias $\beta \in \mathbb{R}^H$ are per feature. Each sample is
normalised on its own, so there are no running statistics and training and inference compute the same thing.
In a [Transformer](../../transformers/index.html) or [MLP-Mixer](../../transformers/mlp_mixer/index.html)
the input is `[batch, seq, d_model]` and every token vector is normalised over its $d_{model}$ features.
Those models call PyTorch's `nn.LayerNorm`; the class below computes the same (the tests compare values and
gradients) and is written to be read.

`normalized_shape` may also name several trailing dimensions (for example `[C, H, W]` to normalise a whole
image); the mean and variance are then over all of them.
"""

import torch
from torch import nn


class LayerNorm(nn.Module):
    r"""
    ## Layer normalization layer

    * `normalized_shape` is the shape of the trailing dimensions to normalise over; an `int` $H$ means the
      last dimension
    * `eps` is $\epsilon$
    * `elementwise_affine` says whether to learn $\gamma$ and $\beta$
    """

    def __init__(self, normalized_shape: int | list[int] | tuple[int, ...] | torch.Size, eps: float = 1e-5,
                 elementwise_affine: bool = True):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        # $\gamma$ (starting at one) and $\beta$ (starting at zero), one per normalised element
        if elementwise_affine:
            self.gain = nn.Parameter(torch.ones(self.normalized_shape))  # [*normalized_shape]
            self.bias = nn.Parameter(torch.zeros(self.normalized_shape))  # [*normalized_shape]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x` is `[*, *normalized_shape]`; returns the same shape."""
        if tuple(x.shape[-len(self.normalized_shape):]) != self.normalized_shape:
            raise ValueError(f"expected trailing dimensions {self.normalized_shape}, got {tuple(x.shape)}")
        # The dimensions to take statistics over: the last `len(normalized_shape)`
        dims = tuple(range(-len(self.normalized_shape), 0))
        # $\mu$
        mean = x.mean(dim=dims, keepdim=True)  # [*, 1, ..., 1]
        # $\sigma^2$, the biased variance
        var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)  # [*, 1, ..., 1]
        # $\hat{x} = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}$
        x_norm = (x - mean) / torch.sqrt(var + self.eps)  # [*, *normalized_shape]
        # $y = \gamma \hat{x} + \beta$, broadcast over the leading dimensions
        if self.elementwise_affine:
            x_norm = self.gain * x_norm + self.bias
        #
        return x_norm
