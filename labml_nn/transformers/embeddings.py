r"""
---
title: Token, Position and Patch Embeddings
summary: Readable PyTorch implementations of the embeddings that turn tokens or image patches into vectors.
paper: "2010.11929"
---

# Token, Position and Patch Embeddings

A [Transformer](index.html) works on a sequence of vectors $x_1, \dots, x_S \in \mathbb{R}^{d_{model}}$.
This page turns the two kinds of inputs used on this site into such a sequence:

* [text tokens](#TokenEmbedding), by looking up a learned vector per vocabulary entry, and
* [images](#PatchEmbedding), by cutting them into $P \times P$ patches and projecting each flattened patch
  linearly, as in the [Vision Transformer](https://arxiv.org/abs/2010.11929) (equation 1) and
  [MLP-Mixer](mlp_mixer/index.html).

[Self-attention](mha.html) treats its input as a *set*: permuting the positions permutes the output in the
same way. To let the model know where each token is, a
[learned position embedding](#LearnedPositionalEmbedding) $E_{pos} \in \mathbb{R}^{S \times d_{model}}$
is added to the sequence.
"""

import torch
from torch import nn


class TokenEmbedding(nn.Module):
    r"""
    ## Token embedding

    A table $E \in \mathbb{R}^{V \times d_{model}}$ with one learned row per vocabulary entry;
    token $t$ becomes $E_t$.
    """

    def __init__(self, vocab_size: int, d_model: int):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d_model)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """`tokens` is `[batch, seq]` of integer ids; returns `[batch, seq, d_model]`."""
        return self.embedding(tokens)


class LearnedPositionalEmbedding(nn.Module):
    r"""
    ## Learned position embedding

    A parameter $E_{pos} \in \mathbb{R}^{S_{max} \times d_{model}}$ whose row $i$ is added to the vector
    at position $i$. It is initialised with a small truncated normal ($\sigma = 0.02$, as in BERT and ViT).
    """

    def __init__(self, max_len: int, d_model: int):
        super().__init__()
        self.max_len = max_len
        self.positional_encodings = nn.Parameter(torch.empty(1, max_len, d_model))  # [1, max_len, d_model]
        nn.init.trunc_normal_(self.positional_encodings, std=0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x` is `[batch, seq, d_model]` with `seq <= max_len`; returns $x + E_{pos}$, same shape."""
        seq = x.shape[1]
        if seq > self.max_len:
            raise ValueError(f"sequence of length {seq} is longer than max_len={self.max_len}")
        return x + self.positional_encodings[:, :seq]  # [batch, seq, d_model]


def _pair(size: int | tuple[int, int]) -> tuple[int, int]:
    """An `int` means a square; a pair is `(height, width)`."""
    if isinstance(size, int):
        return size, size
    height, width = size
    return int(height), int(width)


def image_to_patches(images: torch.Tensor, patch_size: int) -> torch.Tensor:
    r"""
    ## Cut an image into flattened patches

    `images` is `[batch, channels, H, W]` with $H$ and $W$ multiples of $P$ = `patch_size`.
    Returns `[batch, n_patches, P * P * channels]` with $N = \frac{H}{P} \cdot \frac{W}{P}$ patches in
    row-major order (left to right, then top to bottom). Each patch is flattened as
    `(row in patch, column in patch, channel)`.
    """
    batch, channels, height, width = images.shape
    p = patch_size
    if height % p or width % p:
        raise ValueError(f"image {height}x{width} is not divisible into {p}x{p} patches")
    gh, gw = height // p, width // p
    # Split both spatial axes into (grid position, position inside the patch)
    x = images.reshape(batch, channels, gh, p, gw, p)  # [batch, C, gh, P, gw, P]
    # Bring the grid axes to the front and the pixels of one patch to the back
    x = x.permute(0, 2, 4, 3, 5, 1)  # [batch, gh, gw, P, P, C]
    return x.reshape(batch, gh * gw, p * p * channels)  # [batch, n_patches, P*P*C]


def patches_to_image(patches: torch.Tensor, patch_size: int, height: int, width: int) -> torch.Tensor:
    """
    The inverse of [`image_to_patches`](#image_to_patches): `[batch, n_patches, P * P * C]` back to
    `[batch, C, height, width]`. Handy for building images whose patches have been shuffled.
    """
    batch, _, patch_dim = patches.shape
    p = patch_size
    channels = patch_dim // (p * p)
    gh, gw = height // p, width // p
    x = patches.reshape(batch, gh, gw, p, p, channels)  # [batch, gh, gw, P, P, C]
    x = x.permute(0, 5, 1, 3, 2, 4)  # [batch, C, gh, P, gw, P]
    return x.reshape(batch, channels, height, width)


class PatchEmbedding(nn.Module):
    r"""
    ## Patch embedding

    The image $x \in \mathbb{R}^{H \times W \times C}$ is cut into $N = HW / P^2$ patches
    $x_p^i \in \mathbb{R}^{P^2 C}$, and each is projected by the same matrix
    $E \in \mathbb{R}^{(P^2 C) \times d_{model}}$ plus a bias (ViT equation 1, Mixer's
    "per-patch fully-connected layer").

    This is exactly a convolution with kernel size and stride $P$ and $d_{model}$ output channels:
    the windows of such a convolution do not overlap and each output pixel is the dot product of one
    patch with a $P \times P \times C$ filter. We write it as a `Linear` layer on flattened patches because
    that is how the papers describe it and it makes the patch order explicit; a
    `nn.Conv2d(C, d_model, kernel_size=P, stride=P)` has the same $P^2 C d_{model} + d_{model}$ parameters
    and computes the same function up to the order in which weights are stored.

    * `image_size` is an `int` for square images or a pair `(height, width)`
    * `patch_size` is $P$; it must divide the image sides
    """

    def __init__(self, image_size: int | tuple[int, int], patch_size: int, in_channels: int, d_model: int):
        super().__init__()
        height, width = _pair(image_size)
        if height % patch_size or width % patch_size:
            raise ValueError(f"image {height}x{width} is not divisible into {patch_size}-pixel patches")
        self.image_size = (height, width)
        self.patch_size = patch_size
        # The patch grid and $N$, the number of patches (the sequence length $S$ of Mixer)
        self.grid_size = (height // patch_size, width // patch_size)
        self.n_patches = self.grid_size[0] * self.grid_size[1]
        # The projection $E$
        self.projection = nn.Linear(patch_size * patch_size * in_channels, d_model)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """`images` is `[batch, C, H, W]`; returns `[batch, n_patches, d_model]`."""
        if tuple(images.shape[-2:]) != self.image_size:
            raise ValueError(f"expected images of size {self.image_size}, got {tuple(images.shape[-2:])}")
        patches = image_to_patches(images, self.patch_size)  # [batch, n_patches, P*P*C]
        return self.projection(patches)  # [batch, n_patches, d_model]
