r"""
---
title: MLP-Mixer
summary: A readable PyTorch implementation of MLP-Mixer, an all-MLP architecture for vision.
paper: "2105.01601"
---

# MLP-Mixer: An all-MLP Architecture for Vision

This is a PyTorch implementation of
[MLP-Mixer: An all-MLP Architecture for Vision](https://arxiv.org/abs/2105.01601)
(Tolstikhin et al., 2021).

Convolutions mix information *within* a local window and *across* channels at once;
[self-attention](../mha.html) mixes *between* positions with weights computed from the data.
MLP-Mixer separates the two kinds of mixing and uses nothing but multi-layer perceptrons for both:

* **token-mixing** MLPs mix information between spatial positions (patches), separately for each channel;
* **channel-mixing** MLPs mix information between channels, separately for each position.

## The table $X$

The image is cut into $S$ non-overlapping $P \times P$ patches, and each patch is projected by the same
fully-connected layer to a vector of width $C$ (the "hidden size"). Stacking these vectors as rows gives
a table $X \in \mathbb{R}^{S \times C}$: **rows are patches (tokens), columns are channels**.

## The Mixer layer

Every Mixer layer (section 2, equation 1) applies a token-mixing MLP to each *column* and then a
channel-mixing MLP to each *row*, each after a LayerNorm and with a skip-connection:

\begin{align}
U_{*,i} &= X_{*,i} + W_2 \, \sigma\big(W_1 \operatorname{LayerNorm}(X)_{*,i}\big),
  &\text{for } i = 1 \dots C \\
Y_{j,*} &= U_{j,*} + W_4 \, \sigma\big(W_3 \operatorname{LayerNorm}(U)_{j,*}\big),
  &\text{for } j = 1 \dots S
\end{align}

$\sigma$ is the GELU. The token-mixing MLP has $W_1 \in \mathbb{R}^{D_S \times S}$ and
$W_2 \in \mathbb{R}^{S \times D_S}$, the channel-mixing MLP has $W_3 \in \mathbb{R}^{D_C \times C}$ and
$W_4 \in \mathbb{R}^{C \times D_C}$ (plus biases). The same $W_1, W_2$ are used for every column (they
are *shared across channels*) and the same $W_3, W_4$ for every row. Tying the token-mixing weights across
channels keeps the model small: untied, there would be $C$ separate token MLPs per layer.

## Cost linear in the number of patches

The token-mixing MLP costs $O(S \, D_S \, C)$ per layer and the channel-mixing MLP $O(S \, C \, D_C)$.
The paper chooses $D_S$ independently of $S$, so the whole network is **linear in the number of
patches** $S$, and therefore in the number of pixels, like a CNN. Self-attention in the
[Vision Transformer](../vit/index.html) instead builds an $S \times S$ matrix of attention weights,
so its cost is quadratic in $S$. The flip side is that Mixer is built for one fixed $S$: the shape of
$W_1$ depends on it.

## No position embeddings

Self-attention is *permutation-equivariant*: shuffle the input tokens and the output tokens are shuffled the
same way, so ViT must add [position embeddings](../embeddings.html#LearnedPositionalEmbedding) to know where
each patch came from. The token-mixing MLP is not: column $k$ of $W_1$ is the weight given to
**patch number $k$**, so every position has its own weights and the network knows which patch is which.
Mixer therefore uses **no position embeddings**. (Shuffle the patches, and the columns of $W_1$ and
rows of $W_2$ in the same way, and the output does not change; the tests check exactly that.)

## Rest of the network

A LayerNorm, global average pooling over the patches and a linear classifier head. The paper's configurations
(Table 1) are the constructors [at the bottom](#mixer_s32). There is also a
[`TokenMixing`](#TokenMixing) module that is a drop-in replacement for self-attention in a
[Transformer layer](../models.html#TransformerLayer), which the [masked language model](../mlm/index.html)
uses.

The [experiment](experiment.html) trains a small Mixer on images shipped with the install.
See also [ConvMixer](../../conv_mixer/index.html), which mixes tokens with convolutions instead.
"""

import torch
from torch import nn

from labml_nn.transformers.embeddings import PatchEmbedding
from labml_nn.transformers.feed_forward import FeedForward
from labml_nn.transformers.models import DropPath, drop_path_rates

# ![MLP-Mixer: per-patch linear layer, token- and channel-mixing MLP layers, classifier](mlp_mixer.svg)
#
# *The MLP-Mixer architecture. In every Mixer layer a token-mixing MLP mixes each channel across all patches,
# then a channel-mixing MLP mixes each patch across its channels; each has a LayerNorm before it and a
# skip-connection around it.*

#

class TokenMixing(nn.Module):
    r"""
    ## Token-mixing MLP

    The MLP of the first line of equation (1) *without* its LayerNorm and skip-connection:
    $X_{*,i} \mapsto W_2 \, \sigma(W_1 X_{*,i} + b_1) + b_2$ for every channel $i$.

    * `seq_len` is $S$, the number of tokens (patches). Inputs must have exactly this many tokens:
      the weights are position specific
    * `d_model` is $C$. The weights do **not** depend on it (it is only used to check inputs);
      the same MLP is applied to each of the $C$ columns
    * `hidden` is $D_S$

    It is called like attention, `TokenMixing(...)(query=x, key=x, value=x, mask=None)`, so it can replace
    the self-attention of a [`TransformerLayer`](../models.html#TransformerLayer); MLP-Mixer for sequences is
    such a Transformer. Only `query` is used: this is *self*-mixing, so `key` and `value` must be the same
    tensor and are ignored.

    **About the mask.** Attention can hide any (query, key) pair. Here all outputs share one hidden layer of
    width $D_S$, so a mask that differs between queries (for example a causal mask) cannot be expressed, and
    is rejected. A mask that is the same for every query (a *padding* mask, broadcastable to
    `[batch, 1, 1, seq]`, `True` = keep) is honoured by zeroing the masked-out tokens before mixing, so
    padding values never reach the other tokens. The outputs *at* padded positions are still computed and
    should be ignored by the loss.
    """

    def __init__(self, seq_len: int, d_model: int, hidden: int):
        super().__init__()
        self.seq_len = seq_len
        self.d_model = d_model
        # $W_1 \in \mathbb{R}^{D_S \times S}$: `nn.Linear(S, D_S)` stores its weight as `[D_S, S]`
        self.layer1 = nn.Linear(seq_len, hidden)
        # $W_2 \in \mathbb{R}^{S \times D_S}$, stored as `[S, D_S]`
        self.layer2 = nn.Linear(hidden, seq_len)
        # $\sigma$, the GELU
        self.activation = nn.GELU()

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor | None = None,
        value: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """
        `query` (= `key` = `value`) is `[batch, seq_len, d_model]`; returns the same shape.
        """
        # `key` and `value` are accepted for the attention interface and ignored
        x = query
        batch, seq_len, d_model = x.shape
        if seq_len != self.seq_len or d_model != self.d_model:
            raise ValueError(f"expected [batch, {self.seq_len}, {self.d_model}], got {list(x.shape)}")

        # Apply a padding mask by zeroing the tokens it hides
        if mask is not None:
            mask = mask.to(torch.bool)
            # Drop the head and query axes; they must be of size one
            while mask.dim() < 4:
                mask = mask.unsqueeze(0)
            if mask.shape[1] != 1 or mask.shape[2] != 1:
                raise ValueError(
                    "TokenMixing only supports padding masks broadcastable to [batch, 1, 1, seq]; "
                    f"got a mask of shape {list(mask.shape)}"
                )
            keep = mask[:, 0, 0, :].expand(batch, seq_len)  # [batch, seq_len]
            x = x * keep.unsqueeze(-1).to(x.dtype)  # [batch, seq_len, d_model]

        # The MLP acts on columns $X_{*,i}$, so make the token axis the last one: each of the
        # `batch * d_model` rows of the transposed table is one column $X_{*,i}$
        x = x.transpose(1, 2)  # [batch, d_model, seq_len]
        # $W_2 \, \sigma(W_1 X_{*,i} + b_1) + b_2$ for all columns at once
        x = self.layer2(self.activation(self.layer1(x)))  # [batch, d_model, seq_len]
        # Back to rows as tokens
        return x.transpose(1, 2)  # [batch, seq_len, d_model]


class MixerLayer(nn.Module):
    r"""
    ## Mixer layer

    Equation (1): token mixing then channel mixing, each with a LayerNorm in front and a skip-connection
    around it. Every layer has the same input and output shape $S \times C$ ("isotropic" design, like
    a Transformer and unlike a pyramid-shaped CNN).

    * `n_patches` is $S$
    * `d_model` is $C$
    * `token_mlp_dim` is $D_S$
    * `channel_mlp_dim` is $D_C$
    * `drop_path` is the probability of skipping each MLP block for a sample
      ([stochastic depth](../models.html#DropPath)), 0 by default

    This is the same computation as a pre-norm [`TransformerLayer`](../models.html#TransformerLayer) with
    [`TokenMixing`](#TokenMixing) in place of attention; it is written out here to follow equation (1).
    """

    def __init__(self, n_patches: int, d_model: int, token_mlp_dim: int, channel_mlp_dim: int,
                 drop_path: float = 0.0):
        super().__init__()
        # LayerNorm in front of the token-mixing MLP; it normalises each *row* (token) over its $C$ channels
        self.norm1 = nn.LayerNorm(d_model)
        # Token-mixing MLP, $W_1$ and $W_2$
        self.token_mixing = TokenMixing(n_patches, d_model, token_mlp_dim)
        # LayerNorm in front of the channel-mixing MLP
        self.norm2 = nn.LayerNorm(d_model)
        # Channel-mixing MLP, $W_3$ and $W_4$, with GELU. This is exactly the
        # [position-wise feed-forward network](../feed_forward.html#FeedForward) of a Transformer
        self.channel_mixing = FeedForward(d_model, channel_mlp_dim, activation=nn.GELU())
        self.drop_path = DropPath(drop_path)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x` is the table $X$, `[batch, n_patches, d_model]`; returns $Y$ of the same shape."""
        # $U_{*,i} = X_{*,i} + W_2 \, \sigma(W_1 \operatorname{LayerNorm}(X)_{*,i})$
        z = self.norm1(x)  # [batch, n_patches, d_model]
        u = x + self.drop_path(self.token_mixing(z, z, z))  # [batch, n_patches, d_model]
        # $Y_{j,*} = U_{j,*} + W_4 \, \sigma(W_3 \operatorname{LayerNorm}(U)_{j,*})$;
        # `nn.Linear` acts on the last axis, so rows need no transpose
        y = u + self.drop_path(self.channel_mixing(self.norm2(u)))  # [batch, n_patches, d_model]
        #
        return y


class MLPMixer(nn.Module):
    r"""
    ## MLP-Mixer

    * `image_size` is the side of the (square) input image, or a pair `(height, width)`. It is fixed:
      it sets $S$ and so the shape of the token-mixing weights
    * `patch_size` is $P$
    * `in_channels` is the number of image channels (3 for RGB)
    * `n_classes` is the number of classes. **`n_classes=0` builds the network without the classifier
      head**; `forward` then returns the pooled, normalised features `[batch, d_model]`. This is how
      the paper counts parameters in its Table 1
    * `d_model` is the hidden size $C$
    * `n_layers` is the number of Mixer layers
    * `token_mlp_dim` is $D_S$ and `channel_mlp_dim` is $D_C$
    * `drop_path` is the [stochastic depth](../models.html#DropPath) rate of the last layer, growing
      linearly from the first; the paper uses stochastic depth when it trains on ImageNet from scratch.
      Off by default
    """

    def __init__(
        self,
        *,
        image_size: int | tuple[int, int],
        patch_size: int,
        in_channels: int,
        n_classes: int,
        d_model: int,
        n_layers: int,
        token_mlp_dim: int,
        channel_mlp_dim: int,
        drop_path: float = 0.0,
    ):
        super().__init__()
        # The per-patch fully-connected layer ("stem"): flattened $P \times P \times C_{in}$ patches to
        # $C$ channels. It is equivalent to a convolution with kernel size and stride $P$; see
        # [`PatchEmbedding`](../embeddings.html#PatchEmbedding)
        self.patch_embedding = PatchEmbedding(image_size, patch_size, in_channels, d_model)
        # $S$, the number of patches
        self.n_patches = self.patch_embedding.n_patches
        # The Mixer layers. Note: no position embedding is added anywhere
        self.layers = nn.ModuleList(
            [MixerLayer(self.n_patches, d_model, token_mlp_dim, channel_mlp_dim, p)
             for p in drop_path_rates(drop_path, n_layers)]
        )
        # The LayerNorm in front of the head (the official code calls it `pre_head_layer_norm`)
        self.norm = nn.LayerNorm(d_model)
        # The linear classifier head, or nothing
        self.n_classes = n_classes
        self.head = nn.Linear(d_model, n_classes) if n_classes > 0 else nn.Identity()
        self._init_weights()

    def _init_weights(self):
        r"""
        Every linear layer (stem, MLPs) gets Xavier-uniform weights and biases drawn from a normal
        distribution with standard deviation $10^{-6}$, and the head is zero-initialised, so the untrained
        network predicts uniform probabilities.

        Only the zero head comes from Mixer's reference code. Its MLPs keep Flax's defaults (LeCun-normal
        weights, zero biases); Xavier-uniform weights with $10^{-6}$ biases are the scheme of *ViT's*
        reference code for its MLP blocks, which we use here for every linear layer. (The paper itself does
        not describe an initialisation.)
        """
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                nn.init.normal_(module.bias, std=1e-6)
        if isinstance(self.head, nn.Linear):
            nn.init.zeros_(self.head.weight)
            nn.init.zeros_(self.head.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x` is a batch of images `[batch, in_channels, height, width]`; returns `[batch, n_classes]`."""
        # Cut into patches and project each: the table $X$
        x = self.patch_embedding(x)  # [batch, n_patches, d_model]
        # Mixer layers
        for layer in self.layers:
            x = layer(x)  # [batch, n_patches, d_model]
        # Pre-head LayerNorm
        x = self.norm(x)  # [batch, n_patches, d_model]
        # Global average pooling over the patches
        x = x.mean(dim=1)  # [batch, d_model]
        # Classifier head
        return self.head(x)  # [batch, n_classes]


# ## The paper's configurations
#
# Table 1 of the paper. The name says the size and the patch resolution: B/16 is "Base" with
# $16 \times 16$ patches. At $224 \times 224$ a patch size $P$ gives $S = (224 / P)^2$ tokens:
# 49 for $P = 32$, 196 for $P = 16$ and 256 for $P = 14$.
#
# | Model | layers | $C$ | $D_C$ | $D_S$ | params (without head) |
# |---|---|---|---|---|---|
# | S | 8 | 512 | 2048 | 256 | 19M (/32), 18M (/16) |
# | B | 12 | 768 | 3072 | 384 | 60M (/32), 59M (/16) |
# | L | 24 | 1024 | 4096 | 512 | 206M (/32), 207M (/16) |
# | H | 32 | 1280 | 5120 | 640 | 431M (/14) |
#
# Smaller patches give more tokens, but the stem has $P^2 \cdot 3 \cdot C$ weights, which is why
# the /32 models can have *more* parameters than the /16 ones.


def _mixer(n_classes: int, image_size: int, in_channels: int, patch_size: int,
           d_model: int, n_layers: int, token_mlp_dim: int, channel_mlp_dim: int) -> MLPMixer:
    return MLPMixer(image_size=image_size, patch_size=patch_size, in_channels=in_channels,
                    n_classes=n_classes, d_model=d_model, n_layers=n_layers, token_mlp_dim=token_mlp_dim,
                    channel_mlp_dim=channel_mlp_dim)


def mixer_s32(n_classes: int = 1000, image_size: int = 224, in_channels: int = 3) -> MLPMixer:
    """Mixer-S/32"""
    return _mixer(n_classes, image_size, in_channels, 32, 512, 8, 256, 2048)


def mixer_s16(n_classes: int = 1000, image_size: int = 224, in_channels: int = 3) -> MLPMixer:
    """Mixer-S/16"""
    return _mixer(n_classes, image_size, in_channels, 16, 512, 8, 256, 2048)


def mixer_b32(n_classes: int = 1000, image_size: int = 224, in_channels: int = 3) -> MLPMixer:
    """Mixer-B/32"""
    return _mixer(n_classes, image_size, in_channels, 32, 768, 12, 384, 3072)


def mixer_b16(n_classes: int = 1000, image_size: int = 224, in_channels: int = 3) -> MLPMixer:
    """Mixer-B/16"""
    return _mixer(n_classes, image_size, in_channels, 16, 768, 12, 384, 3072)


def mixer_l32(n_classes: int = 1000, image_size: int = 224, in_channels: int = 3) -> MLPMixer:
    """Mixer-L/32"""
    return _mixer(n_classes, image_size, in_channels, 32, 1024, 24, 512, 4096)


def mixer_l16(n_classes: int = 1000, image_size: int = 224, in_channels: int = 3) -> MLPMixer:
    """Mixer-L/16"""
    return _mixer(n_classes, image_size, in_channels, 16, 1024, 24, 512, 4096)


def mixer_h14(n_classes: int = 1000, image_size: int = 224, in_channels: int = 3) -> MLPMixer:
    """Mixer-H/14"""
    return _mixer(n_classes, image_size, in_channels, 14, 1280, 32, 640, 5120)
