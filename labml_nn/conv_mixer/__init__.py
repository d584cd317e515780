r"""
---
title: ConvMixer
summary: A readable PyTorch implementation of ConvMixer from the paper Patches Are All You Need?
paper: "2201.09792"
---

# Patches Are All You Need? (ConvMixer)

This is a PyTorch implementation of
[Patches Are All You Need?](https://arxiv.org/abs/2201.09792) (Trockman and Kolter, 2022).

The [Vision Transformer](../transformers/vit/index.html) and [MLP-Mixer](../transformers/mlp_mixer/index.html)
both start by cutting the image into patches and then keep one vector per patch, at the same resolution, in
every layer. The paper asks whether their success comes from the fancy token mixing (attention, MLPs) or
simply from this *patch representation*. ConvMixer keeps the patches and the isotropic layout of MLP-Mixer,
and mixes with nothing but standard convolutions:

* **spatial mixing** (like Mixer's token mixing) is a *depth-wise* convolution: each channel is convolved with
  its own $k \times k$ kernel, so information moves between nearby patches but not between channels;
* **channel mixing** (like Mixer's channel mixing) is a *point-wise* ($1 \times 1$) convolution, which is the
  same fully-connected layer applied at every patch.

## The model, in the paper's notation (section 2)

The patch embedding is a convolution with $c_{in}$ input and $h$ output channels, kernel size and stride $p$:

$$z_0 = \operatorname{BN}\big(\sigma\{\operatorname{Conv}_{c_{in} \to h}
  (X, \text{stride}=p, \text{kernel\_size}=p)\}\big)$$

Then $d$ ConvMixer layers ("depth"), each

\begin{align}
z'_l &= \operatorname{BN}\big(\sigma\{\operatorname{ConvDepthwise}(z_{l-1})\}\big) + z_{l-1} \\
z_l &= \operatorname{BN}\big(\sigma\{\operatorname{ConvPointwise}(z'_l)\}\big)
\end{align}

with $\sigma$ the GELU (or ReLU), and finally global average pooling and a linear classifier.
A model is named ConvMixer-$h$/$d$ by its width $h$ ("dim") and depth $d$.

Unlike Mixer's token-mixing MLP, the depth-wise convolution uses the *same* small kernel at every location
and only sees a $k \times k$ neighbourhood of patches; with large kernels ($k = 7$ or $9$) and many layers the
receptive field still covers the whole image. Because the weights do not depend on the number of patches,
ConvMixer accepts images of any size, and its cost is linear in the number of patches.

Using [BatchNorm](../normalization/batch_norm/index.html) rather than LayerNorm, convolutions rather than
reshapes, and no position embeddings, the whole model is a few lines of standard PyTorch.
The [experiment](experiment.html) trains a small ConvMixer on images shipped with the install.
"""

import torch
from torch import nn

# ![ConvMixer: patch embedding, depth-wise and point-wise conv layers, pooling, classifier](conv_mixer.svg)
#
# *The ConvMixer architecture. Spatial mixing is a depth-wise $k \times k$ convolution with a residual
# connection; channel mixing is a point-wise $1 \times 1$ convolution. Each is followed by GELU and BatchNorm.*

#

def _activation(name: str) -> nn.Module:
    """`"gelu"` or `"relu"`; ConvMixer-768/32 uses ReLU, the others GELU."""
    name = name.lower()
    if name == "gelu":
        return nn.GELU()
    if name == "relu":
        return nn.ReLU()
    raise ValueError(f"unknown activation {name!r}; expected 'gelu' or 'relu'")


class ConvMixerLayer(nn.Module):
    r"""
    ## ConvMixer layer

    * `dim` is the number of channels $h$
    * `kernel_size` is the depth-wise kernel size $k$; any $k \ge 1$, even or odd
    * `activation` is `"gelu"` or `"relu"`

    Input and output are `[batch, dim, grid_height, grid_width]`, one pixel per patch.
    """

    def __init__(self, dim: int, kernel_size: int, activation: str = "gelu"):
        super().__init__()
        # The depth-wise convolution: `groups=dim` gives each channel its own $k \times k$ filter
        # (weight `[dim, 1, k, k]`), so channels are not mixed here.
        #
        # The residual $z'_l = \dots + z_{l-1}$ needs the output to have the input's spatial shape.
        # With stride 1 that takes $k - 1$ pixels of zero padding in total per axis. For odd $k$ that is
        # $(k-1)/2$ on each side, which the convolution can add itself. For even $k$ the total is odd and
        # cannot be split evenly (the symmetric `padding=k // 2` would *grow* the map by one pixel), so we pad
        # $\lfloor (k-1)/2 \rfloor$ before and $\lceil (k-1)/2 \rceil$ after, explicitly. This is what
        # `padding="same"` does too. The output at patch $i$ then sees patches
        # $i - \lfloor (k-1)/2 \rfloor, \dots, i + \lceil (k-1)/2 \rceil$: exactly $k$ of them,
        # one more to the right (below) than to the left (above) when $k$ is even.
        before, after = (kernel_size - 1) // 2, kernel_size // 2
        if before == after:
            self.pad = nn.Identity()
            self.depthwise = nn.Conv2d(dim, dim, kernel_size, groups=dim, padding=before)
        else:
            # `nn.ZeroPad2d` takes `(left, right, top, bottom)`
            self.pad = nn.ZeroPad2d((before, after, before, after))
            self.depthwise = nn.Conv2d(dim, dim, kernel_size, groups=dim, padding=0)
        self.act1 = _activation(activation)
        self.norm1 = nn.BatchNorm2d(dim)
        # The point-wise convolution: a $1 \times 1$ kernel mixes the $h$ channels of each patch on its own,
        # a fully-connected layer shared by all patches (weight `[dim, dim, 1, 1]`)
        self.pointwise = nn.Conv2d(dim, dim, kernel_size=1)
        self.act2 = _activation(activation)
        self.norm2 = nn.BatchNorm2d(dim)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """`z` is $z_{l-1}$, `[batch, dim, grid_h, grid_w]`; returns $z_l$ of the same shape."""
        # Spatial mixing with a residual connection,
        # $z'_l = \operatorname{BN}(\sigma\{\operatorname{ConvDepthwise}(z_{l-1})\}) + z_{l-1}$
        z = self.norm1(self.act1(self.depthwise(self.pad(z)))) + z  # [batch, dim, grid_h, grid_w]
        # Channel mixing, $z_l = \operatorname{BN}(\sigma\{\operatorname{ConvPointwise}(z'_l)\})$.
        # The paper has no residual around this step
        z = self.norm2(self.act2(self.pointwise(z)))  # [batch, dim, grid_h, grid_w]
        #
        return z


class ConvMixer(nn.Module):
    r"""
    ## ConvMixer

    * `dim` is the width $h$
    * `depth` is the number of layers $d$
    * `kernel_size` is the depth-wise kernel size $k$
    * `patch_size` is $p$
    * `in_channels` is $c_{in}$
    * `n_classes` is the number of classes; **`n_classes=0` builds the model without the classifier**, and
      `forward` then returns the pooled features `[batch, dim]`
    * `activation` is `"gelu"` or `"relu"`

    The image height and width should be multiples of $p$ (otherwise the strided convolution drops the
    border); they can be anything else, and can change from one call to the next.
    """

    def __init__(
        self,
        *,
        dim: int,
        depth: int,
        kernel_size: int,
        patch_size: int,
        in_channels: int = 3,
        n_classes: int = 1000,
        activation: str = "gelu",
    ):
        super().__init__()
        # Patch embedding: a convolution with kernel size and stride $p$ sees each $p \times p$ patch
        # exactly once and maps it to $h$ channels, the same as a linear layer on flattened patches
        self.patch_embedding = nn.Conv2d(in_channels, dim, kernel_size=patch_size, stride=patch_size)
        self.patch_act = _activation(activation)
        self.patch_norm = nn.BatchNorm2d(dim)
        # The $d$ ConvMixer layers
        self.layers = nn.ModuleList([ConvMixerLayer(dim, kernel_size, activation) for _ in range(depth)])
        # Global average pooling
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        # The linear classifier, or nothing
        self.n_classes = n_classes
        self.head = nn.Linear(dim, n_classes) if n_classes > 0 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x` is `[batch, in_channels, height, width]`; returns logits `[batch, n_classes]`."""
        # $z_0 = \operatorname{BN}(\sigma\{\operatorname{Conv}_{c_{in} \to h}(X)\})$
        z = self.patch_norm(self.patch_act(self.patch_embedding(x)))  # [batch, dim, height/p, width/p]
        # ConvMixer layers keep the shape
        for layer in self.layers:
            z = layer(z)  # [batch, dim, height/p, width/p]
        # Average over all patches and flatten
        z = self.pool(z).flatten(1)  # [batch, dim]
        # Classifier
        return self.head(z)  # [batch, n_classes]


# ## The paper's configurations
#
# From the paper's ImageNet-1k results (Table 1), all trained at $224 \times 224$:
#
# | Model | $h$ | $d$ | $p$ | $k$ | activation | params |
# |---|---|---|---|---|---|---|
# | ConvMixer-1536/20 | 1536 | 20 | 7 | 9 | GELU | 51.6M |
# | ConvMixer-768/32 | 768 | 32 | 7 | 7 | ReLU | 21.1M |
# | ConvMixer-1024/20 | 1024 | 20 | 14 | 9 | GELU | 24.4M |
#
# The parameter count does not depend on the image size: a layer has $h k^2 + h$ depth-wise,
# $h^2 + h$ point-wise and $4h$ BatchNorm parameters (a learned scale and shift in each of its two
# BatchNorms; their running statistics are buffers, not parameters).

#

def conv_mixer_1536_20(n_classes: int = 1000, in_channels: int = 3) -> ConvMixer:
    """ConvMixer-1536/20: $h = 1536$, $d = 20$, $p = 7$, $k = 9$, with GELU."""
    return ConvMixer(dim=1536, depth=20, kernel_size=9, patch_size=7, in_channels=in_channels,
                     n_classes=n_classes, activation="gelu")


def conv_mixer_768_32(n_classes: int = 1000, in_channels: int = 3) -> ConvMixer:
    """ConvMixer-768/32: $h = 768$, $d = 32$, $p = 7$, $k = 7$, the one with ReLU."""
    return ConvMixer(dim=768, depth=32, kernel_size=7, patch_size=7, in_channels=in_channels,
                     n_classes=n_classes, activation="relu")


def conv_mixer_1024_20(n_classes: int = 1000, in_channels: int = 3) -> ConvMixer:
    """ConvMixer-1024/20: $h = 1024$, $d = 20$, $p = 14$, $k = 9$, with GELU."""
    return ConvMixer(dim=1024, depth=20, kernel_size=9, patch_size=14, in_channels=in_channels,
                     n_classes=n_classes, activation="gelu")
