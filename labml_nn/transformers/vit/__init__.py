r"""
---
title: Vision Transformer (ViT)
summary: A readable PyTorch implementation of the Vision Transformer from An Image is Worth 16x16 Words.
paper: "2010.11929"
---

# Vision Transformer (ViT)

This is a PyTorch implementation of
[An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale](https://arxiv.org/abs/2010.11929)
(Dosovitskiy et al., 2020).

ViT applies a standard [Transformer encoder](../models.html) to images, with as few image-specific parts as
possible. The image $x \in \mathbb{R}^{H \times W \times C}$ is cut into $N = HW / P^2$ patches, each
flattened to $x_p^i \in \mathbb{R}^{P^2 C}$; the patches are the "words" of a sentence.

## The model (section 3.1, equations 1 to 4)

\begin{align}
z_0 &= [x_{class}; \, x_p^1 E; \, x_p^2 E; \, \dots; \, x_p^N E] + E_{pos},
  & E \in \mathbb{R}^{(P^2 C) \times D}, \; E_{pos} \in \mathbb{R}^{(N + 1) \times D} \\
z'_\ell &= \operatorname{MSA}(\operatorname{LN}(z_{\ell - 1})) + z_{\ell - 1}, & \ell = 1 \dots L \\
z_\ell &= \operatorname{MLP}(\operatorname{LN}(z'_\ell)) + z'_\ell, & \ell = 1 \dots L \\
y &= \operatorname{LN}(z_L^0)
\end{align}

1. A [patch embedding](../embeddings.html#PatchEmbedding): the same linear map $E$ for every patch.
2. A learned **class token** $x_{class}$ is put in front of the patch sequence, as BERT's `[CLS]` token.
   It belongs to no patch; through attention it gathers information from all of them, and its final state
   $z_L^0$ is the image representation.
3. Learned **position embeddings** $E_{pos}$, one per patch of the grid plus one for the class token, are
   added. [Self-attention](../mha.html) is permutation-equivariant, so without them the model could not tell
   where a patch was: shuffling the patches would not change the class token's output at all (the tests check
   this). The paper found that plain 1-D learned embeddings work as well as 2-D-aware ones (appendix D.4).
4. $L$ [pre-norm encoder layers](../models.html#TransformerLayer) of multi-head self-attention (MSA) and a
   two-layer [GELU MLP](../feed_forward.html#FeedForward), then a final LayerNorm.
5. A linear classifier on $y$. (Pre-training uses an MLP head with one hidden layer; fine-tuning and this
   implementation use a single linear layer.)

Self-attention compares every token with every other one, so the cost of a layer grows with $(N + 1)^2$:
halving the patch size quadruples $N$ and multiplies the attention cost by about 16.
[MLP-Mixer](../mlp_mixer/index.html) and [ConvMixer](../../conv_mixer/index.html) keep the cost linear in $N$.

The [experiment](experiment.html) trains a small ViT on images shipped with the install.
"""

import torch
from torch import nn

from labml_nn.transformers.embeddings import PatchEmbedding
from labml_nn.transformers.feed_forward import FeedForward
from labml_nn.transformers.mha import MultiHeadAttention
from labml_nn.transformers.models import Encoder, TransformerLayer, drop_path_rates

# ![ViT: patch projection, class token, position embeddings, encoder layers, classifier](vit.svg)
#
# *The Vision Transformer. The patches become a sequence of tokens with a class token in front; after $L$
# encoder layers the class token's state is the image representation.*

#

class VisionTransformer(nn.Module):
    r"""
    ## Vision Transformer

    * `image_size` is the side of a square image or a pair `(height, width)`; it fixes $N$ and so the number
      of position embeddings
    * `patch_size` is $P$
    * `in_channels` is $C$
    * `n_classes` is the number of classes; **`n_classes=0` builds the model without a classifier**, and
      `forward` then returns $y$, `[batch, d_model]`
    * `d_model` is the width $D$, `n_layers` is $L$, `n_heads` the number of attention heads and `d_ff` the
      hidden width of the MLP
    * `dropout` is applied after the embeddings, to the attention weights, inside the MLP and to each
      sub-layer's output
    * `use_position_embeddings=False` leaves out $E_{pos}$ (to show why it is needed)
    * `drop_path` is the [stochastic depth](../models.html#DropPath) rate of the last layer; layer $\ell$
      skips its sub-layers with probability $\frac{\ell}{L}$ `drop_path` (not in the ViT paper; DeiT's
      recipe for ImageNet-1k uses 0.1)

    The class token and the position embeddings are learned vectors, not the weight of a layer, so the
    trainer does [not decay](../../experiments/trainer.html#make_optimizer) them.
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
        n_heads: int,
        d_ff: int,
        dropout: float = 0.0,
        use_position_embeddings: bool = True,
        drop_path: float = 0.0,
    ):
        super().__init__()
        # The patch embedding $x_p^i E$
        self.patch_embedding = PatchEmbedding(image_size, patch_size, in_channels, d_model)
        n_patches = self.patch_embedding.n_patches
        # The class token $x_{class}$, a learned vector
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d_model))  # [1, 1, d_model]
        # The position embeddings $E_{pos}$, sized to the patch grid plus the class token
        if use_position_embeddings:
            pos = torch.empty(1, n_patches + 1, d_model)  # [1, N+1, d_model]
            self.position_embeddings = nn.Parameter(pos)
            nn.init.trunc_normal_(self.position_embeddings, std=0.02)
        else:
            self.position_embeddings = None
        self.dropout = nn.Dropout(dropout)

        # The encoder: $L$ pre-norm layers of self-attention and GELU MLP, and the final
        # $\operatorname{LN}$ of equation 4
        def make_layer(p_drop: float) -> TransformerLayer:
            return TransformerLayer(
                d_model,
                self_attn=MultiHeadAttention(d_model, n_heads, dropout=dropout),
                feed_forward=FeedForward(d_model, d_ff, dropout=dropout, activation=nn.GELU()),
                dropout=dropout,
                drop_path=p_drop,
            )

        self.encoder = Encoder([make_layer(p) for p in drop_path_rates(drop_path, n_layers)], d_model=d_model)
        # The classifier head (zero-initialised, as the paper does for fine-tuning), or nothing
        self.n_classes = n_classes
        if n_classes > 0:
            self.head = nn.Linear(d_model, n_classes)
            nn.init.zeros_(self.head.weight)
            nn.init.zeros_(self.head.bias)
        else:
            self.head = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x` is `[batch, in_channels, height, width]`; returns logits `[batch, n_classes]`."""
        # $x_p^i E$ for every patch
        patches = self.patch_embedding(x)  # [batch, N, d_model]
        # Prepend the class token: $[x_{class}; x_p^1 E; \dots; x_p^N E]$
        cls = self.cls_token.expand(patches.shape[0], -1, -1)  # [batch, 1, d_model]
        z = torch.cat([cls, patches], dim=1)  # [batch, N+1, d_model]
        # Add $E_{pos}$
        if self.position_embeddings is not None:
            z = z + self.position_embeddings  # [batch, N+1, d_model]
        z = self.dropout(z)
        # The encoder, equations 2 to 4 (the final LayerNorm is part of it)
        z = self.encoder(z)  # [batch, N+1, d_model]
        # $y = \operatorname{LN}(z_L^0)$, the class token's output
        y = z[:, 0]  # [batch, d_model]
        # Classify
        return self.head(y)  # [batch, n_classes]


# ## The paper's configurations
#
# Table 1 of the paper. "ViT-L/16" is the Large model with $16 \times 16$ patches; at $224 \times 224$
# that is $N = 196$ patches (256 for $P = 14$).
#
# | Model | layers $L$ | $D$ | MLP size | heads | params |
# |---|---|---|---|---|---|
# | ViT-Base | 12 | 768 | 3072 | 12 | 86M |
# | ViT-Large | 24 | 1024 | 4096 | 16 | 307M |
# | ViT-Huge | 32 | 1280 | 5120 | 16 | 632M |
#
# Counting this architecture's parameters exactly, with a 1000-class head at $224 \times 224$, gives
# 86,567,656 (B/16), 304,326,632 (L/16) and 632,045,800 (H/14). Base and Huge agree with the table when
# truncated to whole millions (86M, 632M). The table's 307M for Large is about 1% more than the architecture
# it describes has (304.3M, or 303.3M without the head); other implementations of ViT-L/16 count 304M too.

#

def vit_b16(n_classes: int = 1000, image_size: int = 224, in_channels: int = 3) -> VisionTransformer:
    r"""ViT-B/16: 12 layers, $d_{model} = 768$, 12 heads, an MLP of 3072, on $16 \times 16$ patches."""
    return VisionTransformer(image_size=image_size, patch_size=16, in_channels=in_channels,
                             n_classes=n_classes, d_model=768, n_layers=12, n_heads=12, d_ff=3072)


def vit_l16(n_classes: int = 1000, image_size: int = 224, in_channels: int = 3) -> VisionTransformer:
    r"""ViT-L/16: 24 layers, $d_{model} = 1024$, 16 heads, an MLP of 4096, on $16 \times 16$ patches."""
    return VisionTransformer(image_size=image_size, patch_size=16, in_channels=in_channels,
                             n_classes=n_classes, d_model=1024, n_layers=24, n_heads=16, d_ff=4096)


def vit_h14(n_classes: int = 1000, image_size: int = 224, in_channels: int = 3) -> VisionTransformer:
    r"""ViT-H/14: 32 layers, $d_{model} = 1280$, 16 heads, an MLP of 5120, on $14 \times 14$ patches."""
    return VisionTransformer(image_size=image_size, patch_size=14, in_channels=in_channels,
                             n_classes=n_classes, d_model=1280, n_layers=32, n_heads=16, d_ff=5120)
