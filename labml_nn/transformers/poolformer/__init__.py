r"""
---
title: PoolFormer (MetaFormer)
summary: A readable PyTorch implementation of PoolFormer, a MetaFormer whose token mixer is plain average pooling.
paper: "2111.11418"
---

# PoolFormer: MetaFormer is Actually What You Need for Vision

This is a PyTorch implementation of
[MetaFormer is Actually What You Need for Vision](https://arxiv.org/abs/2111.11418) (Yu et al., 2022).

[ViT](../vit/index.html), [MLP-Mixer](../mlp_mixer/index.html), [gMLP](../gmlp/index.html) and
[ResMLP](../resmlp/index.html) differ in their token mixer and share everything else. The paper names the
shared skeleton **MetaFormer** (section 3.1, equations 1 to 3):

\begin{align}
X &= \operatorname{InputEmb}(I) \\
Y &= \operatorname{TokenMixer}(\operatorname{Norm}(X)) + X \\
Z &= \sigma\big(\operatorname{Norm}(Y)\, W_1\big) W_2 + Y
\end{align}

and asks how much of the success is the skeleton's. To find out it uses the dumbest token mixer it can
think of, one with **no parameters**: average pooling over a $K \times K$ neighbourhood (equation 4),

$$T'_{:,i,j} = \frac{1}{K \times K} \sum_{p,q=1}^{K} T_{:,\,i+p-\frac{K+1}{2},\,j+q-\frac{K+1}{2}} - T_{:,i,j}$$

The input is subtracted because the residual connection adds it back. With $K = 3$ and the rest of the
MetaFormer unchanged, the paper's abstract reports 82.1% top-1 accuracy on ImageNet-1K, 0.3 and 1.1 points
above DeiT-B and ResMLP-B24 with 35% and 52% fewer parameters.

## Hierarchical stages

Unlike the isotropic models above, PoolFormer works like a CNN at four resolutions (section 3.2):
a $7 \times 7$ convolution with stride 4 embeds the image at $\frac{H}{4} \times \frac{W}{4}$, and three
$3 \times 3$ convolutions with stride 2 halve the resolution between stages, down to
$\frac{H}{32} \times \frac{W}{32}$. Tokens stay as a `[batch, C, H, W]` feature map throughout: the pooling
needs the 2-D neighbourhood, and the channel MLP is a pair of $1 \times 1$ convolutions.

## Details

* $\operatorname{Norm}$ is Group Normalisation with one group: each sample is normalised over all its channels
  *and* positions, with a learned scale and shift per channel (in the paper's ablation it does better than
  LayerNorm over the channels).
* Each branch's output is multiplied by a learned per-channel [LayerScale](../resmlp/index.html#Affine),
  initialised to $10^{-5}$.
* The pooling does not count the zero padding at the borders (`count_include_pad=False`), so a border token
  is the mean of the tokens that exist.
* After the last stage: GroupNorm, global average pooling and a linear head.

## Where this code deviates from the paper

* Stem, downsampling and stage sizes are arguments, so that the [experiment](experiment.html) can run
  PoolFormer on $8 \times 8$ digits; the paper's configurations are [at the bottom](#poolformer_s12).
* Stochastic depth is available (`drop_path`) and off by default.

See also the [comparison of all token mixers](../token_mixers/index.html), where pooling competes
with attention and the MLPs at the same parameter budget.
"""

from collections.abc import Sequence

import torch
from torch import nn

from labml_nn.transformers.models import DropPath, drop_path_rates

# ![PoolFormer: stem, four stages of MetaFormer blocks with pooling as token mixer, downsampling, head](poolformer.svg)
#
# *PoolFormer. Left: the four stages, each at half the resolution of the one before. Right: the MetaFormer
# block that every stage stacks, with pooling as its token mixer. Attention or a token-mixing MLP in that box
# gives, up to the normalisation, the blocks of ViT and MLP-Mixer.*

#

class Pooling(nn.Module):
    r"""
    ## Pooling token mixer

    Equation (4): $\operatorname{AvgPool}_{K \times K}(T) - T$, stride 1, so the shape is kept.
    `pool_size` is $K$ (odd).
    """

    def __init__(self, pool_size: int = 3):
        super().__init__()
        self.pool = nn.AvgPool2d(pool_size, stride=1, padding=pool_size // 2, count_include_pad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x` is `[batch, C, H, W]`; returns the same shape."""
        return self.pool(x) - x  # [batch, C, H, W]


class LayerScale(nn.Module):
    """Multiply each channel of a `[batch, C, H, W]` map by a learned scale, initialised to `init`."""

    def __init__(self, channels: int, init: float):
        super().__init__()
        self.scale = nn.Parameter(torch.full((channels,), init))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale[:, None, None]  # [batch, C, H, W]


class PoolFormerBlock(nn.Module):
    r"""
    ## PoolFormer block

    Equations (2) and (3) with pooling as the token mixer, LayerScale on each branch.
    `channels` is $C$, `mlp_ratio` the width of the channel MLP in multiples of $C$ (4).
    """

    def __init__(self, channels: int, pool_size: int = 3, mlp_ratio: int = 4, layer_scale: float = 1e-5,
                 drop_path: float = 0.0):
        super().__init__()
        # $\operatorname{Norm}$: GroupNorm with a single group
        self.norm1 = nn.GroupNorm(1, channels)
        self.token_mixer = Pooling(pool_size)
        self.scale1 = LayerScale(channels, layer_scale)
        self.norm2 = nn.GroupNorm(1, channels)
        # $W_1$ and $W_2$ as $1 \times 1$ convolutions (with biases), $\sigma$ = GELU
        self.mlp = nn.Sequential(nn.Conv2d(channels, mlp_ratio * channels, 1), nn.GELU(),
                                 nn.Conv2d(mlp_ratio * channels, channels, 1))
        self.scale2 = LayerScale(channels, layer_scale)
        self.drop_path = DropPath(drop_path)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x` is $X$, `[batch, C, H, W]`; returns $Z$, same shape."""
        # $Y = \operatorname{Pool}(\operatorname{Norm}(X)) + X$, scaled
        y = x + self.drop_path(self.scale1(self.token_mixer(self.norm1(x))))  # [batch, C, H, W]
        # $Z = \sigma(\operatorname{Norm}(Y) W_1) W_2 + Y$, scaled
        return y + self.drop_path(self.scale2(self.mlp(self.norm2(y))))  # [batch, C, H, W]


class PoolFormer(nn.Module):
    r"""
    ## PoolFormer

    * `in_channels`, `n_classes` as usual; `n_classes=0` returns the pooled features
    * `layers` is the number of blocks per stage, e.g. `(2, 2, 6, 2)`
    * `dims` is the width $C$ of each stage, e.g. `(64, 128, 320, 512)`
    * `stem` is `(kernel, stride, padding)` of the input embedding, $(7, 4, 2)$ in the paper
    * `down` is `(kernel, stride, padding)` of the embeddings between stages, $(3, 2, 1)$ in the paper
    * `pool_size` is $K$, `mlp_ratio` 4, `layer_scale` the initial LayerScale
    * `drop_path` is the stochastic depth rate of the last block, growing linearly over all blocks
    """

    def __init__(self, *, in_channels: int, n_classes: int, layers: Sequence[int], dims: Sequence[int],
                 stem: tuple[int, int, int] = (7, 4, 2), down: tuple[int, int, int] = (3, 2, 1),
                 pool_size: int = 3, mlp_ratio: int = 4, layer_scale: float = 1e-5, drop_path: float = 0.0):
        super().__init__()
        if len(layers) != len(dims):
            raise ValueError(f"one width per stage: got {len(layers)} stages and {len(dims)} widths")
        rates = iter(drop_path_rates(drop_path, sum(layers)))
        stages: list[nn.Module] = []
        for i, (n, dim) in enumerate(zip(layers, dims, strict=True)):
            # $\operatorname{InputEmb}$: the stem before the first stage, a strided convolution before the others
            k, s, p = stem if i == 0 else down
            stages.append(nn.Conv2d(in_channels if i == 0 else dims[i - 1], dim, k, stride=s, padding=p))
            stages.extend(PoolFormerBlock(dim, pool_size, mlp_ratio, layer_scale, next(rates)) for _ in range(n))
        self.stages = nn.Sequential(*stages)
        self.norm = nn.GroupNorm(1, dims[-1])
        self.head = nn.Linear(dims[-1], n_classes) if n_classes > 0 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x` is `[batch, in_channels, height, width]`; returns `[batch, n_classes]`."""
        # Four stages for the paper's models: $\frac{H}{4}$, $\frac{H}{8}$, $\frac{H}{16}$, $\frac{H}{32}$
        x = self.stages(x)  # [batch, C_last, H', W']
        # GroupNorm, then the average over the positions
        x = self.norm(x).mean(dim=(2, 3))  # [batch, C_last]
        return self.head(x)  # [batch, n_classes]


# ## The paper's configurations
#
# Table 1 of the paper, all on $224 \times 224$ images:
#
# | Model | blocks per stage | widths $C$ | params (paper) | params (ours, with head) |
# |---|---|---|---|---|
# | S12 | 2, 2, 6, 2 | 64, 128, 320, 512 | 12M | 11,915,176 |
# | S24 | 4, 4, 12, 4 | 64, 128, 320, 512 | 21M | 21,388,968 |
# | S36 | 6, 6, 18, 6 | 64, 128, 320, 512 | 31M | 30,862,760 |
# | M36 | 6, 6, 18, 6 | 96, 192, 384, 768 | 56M | 56,172,520 |
# | M48 | 8, 8, 24, 8 | 96, 192, 384, 768 | 73M | 73,473,448 |

S_DIMS = (64, 128, 320, 512)
M_DIMS = (96, 192, 384, 768)


def _poolformer(n_classes: int, in_channels: int, layers: tuple[int, ...], dims: tuple[int, ...],
                layer_scale: float = 1e-5) -> PoolFormer:
    return PoolFormer(in_channels=in_channels, n_classes=n_classes, layers=layers, dims=dims,
                      layer_scale=layer_scale)


def poolformer_s12(n_classes: int = 1000, in_channels: int = 3) -> PoolFormer:
    """PoolFormer-S12"""
    return _poolformer(n_classes, in_channels, (2, 2, 6, 2), S_DIMS)


def poolformer_s24(n_classes: int = 1000, in_channels: int = 3) -> PoolFormer:
    """PoolFormer-S24"""
    return _poolformer(n_classes, in_channels, (4, 4, 12, 4), S_DIMS)


def poolformer_s36(n_classes: int = 1000, in_channels: int = 3) -> PoolFormer:
    """PoolFormer-S36"""
    return _poolformer(n_classes, in_channels, (6, 6, 18, 6), S_DIMS)


def poolformer_m36(n_classes: int = 1000, in_channels: int = 3) -> PoolFormer:
    """PoolFormer-M36"""
    return _poolformer(n_classes, in_channels, (6, 6, 18, 6), M_DIMS)


def poolformer_m48(n_classes: int = 1000, in_channels: int = 3) -> PoolFormer:
    """PoolFormer-M48"""
    return _poolformer(n_classes, in_channels, (8, 8, 24, 8), M_DIMS)
