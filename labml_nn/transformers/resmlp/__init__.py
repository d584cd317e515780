r"""
---
title: ResMLP
summary: A readable PyTorch implementation of ResMLP, an all-MLP residual network with Affine normalisation.
paper: "2105.03404"
---

# ResMLP: Feedforward networks for image classification with data-efficient training

This is a PyTorch implementation of
[ResMLP](https://arxiv.org/abs/2105.03404) (Touvron et al., 2021).

ResMLP is [MLP-Mixer](../mlp_mixer/index.html) made simpler in two places:

* the token mixing is **one linear layer** across patches, $A \in \mathbb{R}^{N \times N}$, not a two-layer MLP;
* there is **no LayerNorm**: each residual branch starts with an *Affine* transformation, a per-channel scale
  and shift that computes no statistics at all.

What makes it train, with the DeiT recipe on ImageNet alone, is that each residual branch also *ends* with an
Affine transformation initialised to a small scale (as CaiT's LayerScale), so every block starts close to the
identity.

## Affine

For $x \in \mathbb{R}^d$, with learned $\boldsymbol\alpha, \boldsymbol\beta \in \mathbb{R}^d$ (section 2):

$$\operatorname{Aff}_{\boldsymbol\alpha,\boldsymbol\beta}(x) =
  \operatorname{Diag}(\boldsymbol\alpha)\, x + \boldsymbol\beta$$

Unlike a LayerNorm it does not depend on the other channels or on the batch, so at inference it can be folded
into the adjacent linear layer.

## The residual block

With $X \in \mathbb{R}^{N \times d}$ the table of $N$ patches of width $d$ (rows are patches), equations (1)
and (2) of the paper:

\begin{align}
Z &= X + \operatorname{Aff}\Big(\big(A \operatorname{Aff}(X)^\top\big)^\top\Big) \\
Y &= Z + \operatorname{Aff}\Big(C\, \operatorname{GELU}\big(B \operatorname{Aff}(Z)\big)\Big)
\end{align}

$A$ is the linear *cross-patch* sublayer, applied to every column (channel) of the table with the same weights,
and $B \in \mathbb{R}^{4d \times d}$, $C \in \mathbb{R}^{d \times 4d}$ form the *cross-channel* MLP, applied to
every row. All of them have biases. The outer $\operatorname{Aff}$ of each line is the LayerScale: its
$\boldsymbol\alpha$ starts at $\varepsilon = 0.1$ for 12 blocks, $10^{-5}$ for 24 and $10^{-6}$ for deeper
networks, and its $\boldsymbol\beta$ at zero. The inner ones start at $\boldsymbol\alpha = 1, \boldsymbol\beta = 0$.

The model: a linear patch embedding (like ViT's), the blocks, an Affine, average pooling over the patches and a
linear classifier. There is no position embedding: $A$ is specific to each position.

## Where this code deviates from the paper

* The equations put an Affine, with a shift $\boldsymbol\beta$, at the end of each branch; the authors'
  released code uses a scale only there (LayerScale without a shift). We follow the equations; the
  $2 \times d$ extra parameters per block do not change the rounded counts of the paper.
* The paper's distillation and self-supervised variants are not implemented.

The [experiment](experiment.html) trains a small ResMLP on the bundled digits. See also
[gMLP](../gmlp/index.html), which *gates* with a linear map across tokens instead of adding it, and the
[comparison of all token mixers](../token_mixers/index.html).
"""

import torch
from torch import nn

from labml_nn.transformers.embeddings import PatchEmbedding
from labml_nn.transformers.models import DropPath, drop_path_rates

# ![ResMLP: patch embedding, blocks of a cross-patch and a cross-channel branch with Affine and LayerScale](resmlp.svg)
#
# *The ResMLP architecture. Each residual block has two branches: a single linear layer across the patches and
# an MLP across the channels. Each branch starts with an Affine transformation where other models have a
# LayerNorm, and ends with an Affine whose scale starts small (LayerScale), so every block starts close to the
# identity.*

#

class Affine(nn.Module):
    r"""
    ## Affine transformation

    $\operatorname{Aff}_{\boldsymbol\alpha,\boldsymbol\beta}(x) = \boldsymbol\alpha \odot x + \boldsymbol\beta$
    on the last axis, with $\boldsymbol\alpha$ initialised to `init_scale` and $\boldsymbol\beta$ to zero.
    """

    def __init__(self, d_model: int, init_scale: float = 1.0):
        super().__init__()
        # $\boldsymbol\alpha$
        self.alpha = nn.Parameter(torch.full((d_model,), init_scale))
        # $\boldsymbol\beta$
        self.beta = nn.Parameter(torch.zeros(d_model))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x` is `[..., d_model]`; returns the same shape."""
        return self.alpha * x + self.beta  # [..., d_model]


class CrossPatch(nn.Module):
    r"""
    ## Linear cross-patch sublayer

    $X \mapsto (A X^\top)^\top + b$: each output patch is a weighted sum of all input patches, with the
    same weights for every channel. `n_patches` is $N$.
    """

    def __init__(self, n_patches: int):
        super().__init__()
        # $A \in \mathbb{R}^{N \times N}$ and a bias per patch; `nn.Linear` stores its weight as $A$
        self.linear = nn.Linear(n_patches, n_patches)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x` is `[batch, N, d]`; returns the same shape."""
        # Rows of $X^\top$ are the channels; `nn.Linear` mixes the last axis, the patches
        return self.linear(x.transpose(1, 2)).transpose(1, 2)  # [batch, N, d]


class ResMLPBlock(nn.Module):
    r"""
    ## Residual block

    Equations (1) and (2). `n_patches` is $N$, `d_model` is $d$, `layer_scale` is $\varepsilon$ and
    `drop_path` the [stochastic depth](../models.html#DropPath) probability.
    """

    def __init__(self, n_patches: int, d_model: int, layer_scale: float, drop_path: float = 0.0):
        super().__init__()
        # Cross-patch branch: $\operatorname{Aff}$, $A$, LayerScale $\operatorname{Aff}$
        self.pre_patch = Affine(d_model)
        self.cross_patch = CrossPatch(n_patches)
        self.scale_patch = Affine(d_model, layer_scale)
        # Cross-channel branch: $\operatorname{Aff}$, $B$, GELU, $C$, LayerScale $\operatorname{Aff}$
        self.pre_channel = Affine(d_model)
        self.layer_b = nn.Linear(d_model, 4 * d_model)
        self.activation = nn.GELU()
        self.layer_c = nn.Linear(4 * d_model, d_model)
        self.scale_channel = Affine(d_model, layer_scale)
        self.drop_path = DropPath(drop_path)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x` is $X$, `[batch, N, d]`; returns $Y$, same shape."""
        # $Z = X + \operatorname{Aff}((A \operatorname{Aff}(X)^\top)^\top)$
        z = x + self.drop_path(self.scale_patch(self.cross_patch(self.pre_patch(x))))  # [batch, N, d]
        # $Y = Z + \operatorname{Aff}(C \operatorname{GELU}(B \operatorname{Aff}(Z)))$
        h = self.activation(self.layer_b(self.pre_channel(z)))  # [batch, N, 4d]
        return z + self.drop_path(self.scale_channel(self.layer_c(h)))  # [batch, N, d]


def layer_scale_init(n_layers: int) -> float:
    r"""The paper's $\varepsilon$: $0.1$ up to 12 blocks, $10^{-5}$ up to 24, $10^{-6}$ beyond."""
    if n_layers <= 12:
        return 0.1
    return 1e-5 if n_layers <= 24 else 1e-6


class ResMLP(nn.Module):
    r"""
    ## ResMLP

    * `image_size`, `patch_size`, `in_channels`, `n_classes` as for [MLP-Mixer](../mlp_mixer/index.html#MLPMixer);
      `n_classes=0` returns the pooled features
    * `d_model` is $d$ and `n_layers` the number of blocks
    * `layer_scale` is $\varepsilon$; by default the paper's rule for the depth
    * `drop_path` is the stochastic depth rate of the last block, growing linearly from the first
    """

    def __init__(self, *, image_size: int | tuple[int, int], patch_size: int, in_channels: int, n_classes: int,
                 d_model: int, n_layers: int, layer_scale: float | None = None, drop_path: float = 0.0):
        super().__init__()
        # Patches to the table $X$, `[batch, C, H, W]` to `[batch, N, d]`
        self.patch_embedding = PatchEmbedding(image_size, patch_size, in_channels, d_model)
        # $N$
        self.n_patches = self.patch_embedding.n_patches
        eps = layer_scale_init(n_layers) if layer_scale is None else layer_scale
        self.layers = nn.ModuleList([ResMLPBlock(self.n_patches, d_model, eps, p)
                                     for p in drop_path_rates(drop_path, n_layers)])
        # The Affine in front of the pooling (no LayerNorm here either)
        self.norm = Affine(d_model)
        self.head = nn.Linear(d_model, n_classes) if n_classes > 0 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x` is `[batch, in_channels, height, width]`; returns `[batch, n_classes]`."""
        x = self.patch_embedding(x)  # [batch, N, d]
        for layer in self.layers:
            x = layer(x)  # [batch, N, d]
        # Affine, then the average over the patches
        x = self.norm(x).mean(dim=1)  # [batch, d]
        return self.head(x)  # [batch, n_classes]


# ## The paper's configurations
#
# The paper's ImageNet models: $224 \times 224$ images, $16 \times 16$ patches
# ($N = 196$), MLP hidden width $4d$.
#
# | Model | blocks | $d$ | params (paper) | params (ours, with head) |
# |---|---|---|---|---|
# | ResMLP-S12 | 12 | 384 | 15M | 15,360,088 |
# | ResMLP-S24 | 24 | 384 | 30M | 30,039,112 |
# | ResMLP-B24 | 24 | 768 | 116M | 115,773,640 |
#
# All three round to the paper's numbers.


def resmlp_s12(n_classes: int = 1000, image_size: int = 224, in_channels: int = 3) -> ResMLP:
    """ResMLP-S12"""
    return ResMLP(image_size=image_size, patch_size=16, in_channels=in_channels, n_classes=n_classes,
                  d_model=384, n_layers=12)


def resmlp_s24(n_classes: int = 1000, image_size: int = 224, in_channels: int = 3) -> ResMLP:
    """ResMLP-S24"""
    return ResMLP(image_size=image_size, patch_size=16, in_channels=in_channels, n_classes=n_classes,
                  d_model=384, n_layers=24)


def resmlp_b24(n_classes: int = 1000, image_size: int = 224, in_channels: int = 3) -> ResMLP:
    """ResMLP-B24"""
    return ResMLP(image_size=image_size, patch_size=16, in_channels=in_channels, n_classes=n_classes,
                  d_model=768, n_layers=24)
