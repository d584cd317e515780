"""Transformer sub-layers written out with functional operations, for tests that compare a model with its paper.

Each function takes the model's own modules only to read their weights; the computation is re-written here
(attention by `F.scaled_dot_product_attention`), so a change to the model's forward code shows up as a
difference.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def layer_norm(z: torch.Tensor, ln: nn.LayerNorm) -> torch.Tensor:
    return F.layer_norm(z, ln.normalized_shape, ln.weight, ln.bias)


def linear(x: torch.Tensor, layer: nn.Linear) -> torch.Tensor:
    return F.linear(x, layer.weight, layer.bias)


def msa(mha, h: torch.Tensor) -> torch.Tensor:
    """Multi-head self-attention of `h` `[batch, seq, d]` with the projections of `mha`."""
    b, n, d = h.shape
    heads = [linear(h, p).view(b, n, mha.n_heads, d // mha.n_heads).transpose(1, 2)
             for p in (mha.query, mha.key, mha.value)]
    a = F.scaled_dot_product_attention(*heads)  # [b, heads, n, d_k]
    return linear(a.transpose(1, 2).reshape(b, n, d), mha.output)


def mlp(ff, h: torch.Tensor) -> torch.Tensor:
    """The two-layer GELU MLP of `ff`."""
    return linear(F.gelu(linear(h, ff.layer1)), ff.layer2)


def pre_norm_encoder(encoder, z: torch.Tensor) -> torch.Tensor:
    """z' = z + MSA(LN(z)); z = z' + MLP(LN(z')) for every layer, then the final LN."""
    for layer in encoder.layers:
        z = z + msa(layer.self_attn, layer_norm(z, layer.norm_self_attn))
        z = z + mlp(layer.feed_forward, layer_norm(z, layer.norm_ff))
    return layer_norm(z, encoder.norm)
