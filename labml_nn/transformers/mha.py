r"""
---
title: Multi-Head Attention
summary: A readable PyTorch implementation of the multi-head scaled dot-product attention of the Transformer.
paper: "1706.03762"
---

# Multi-Head Attention

This is the attention of
[Attention Is All You Need](https://arxiv.org/abs/1706.03762) (Vaswani et al., 2017), section 3.2.
It is the part of the [Transformer](index.html) that mixes information *between* positions of a sequence.

## Scaled dot-product attention

Each position asks a *query* $q$; every position offers a *key* $k$ and a *value* $v$.
The output at a position is an average of the values, weighted by how well its query matches each key
(equation 1 of the paper):

$$\operatorname{Attention}(Q, K, V) = \operatorname{softmax}\Big(\frac{Q K^\top}{\sqrt{d_k}}\Big) V$$

Here $Q \in \mathbb{R}^{S_q \times d_k}$, $K \in \mathbb{R}^{S_k \times d_k}$ and
$V \in \mathbb{R}^{S_k \times d_v}$.
The division by $\sqrt{d_k}$ keeps the dot products from growing with $d_k$: if the entries of $q$ and $k$
have unit variance, $q \cdot k$ has variance $d_k$, and large logits would push the softmax into regions
with tiny gradients.

## Many heads

Rather than one attention over $d_{model}$-dimensional vectors, the model runs $h$ attentions in parallel
on $d_k = d_{model} / h$ dimensional projections, and concatenates the results:

$$\operatorname{MultiHead}(Q, K, V) = \operatorname{Concat}(\text{head}_1, \dots, \text{head}_h) W^O,
\qquad \text{head}_i = \operatorname{Attention}(Q W^Q_i, K W^K_i, V W^V_i)$$

Each head can attend to different positions for different reasons, at the same cost as a single head of
the full width.

The cost of attention grows with the *square* of the sequence length: $Q K^\top$ has $S_q \times S_k$ entries.
[MLP-Mixer](mlp_mixer/index.html) replaces this step by an MLP whose cost grows linearly.
"""

import math

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    r"""
    ## Multi-head attention module

    * `d_model` is the width of the token vectors, $d_{model}$
    * `n_heads` is the number of heads $h$; it must divide `d_model`
    * `dropout` is the dropout probability applied to the attention weights
    * `bias` says whether the projections $W^Q, W^K, W^V, W^O$ have biases

    It has $4 (d_{model}^2 + d_{model})$ parameters when `bias` is true.
    """

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0, bias: bool = True):
        super().__init__()
        if d_model % n_heads != 0:
            raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
        self.d_model = d_model
        self.n_heads = n_heads
        # $d_k = d_{model} / h$, the width of one head
        self.d_k = d_model // n_heads
        # The projections $W^Q, W^K, W^V$ for all heads at once:
        # the $h$ matrices $W^Q_i \in \mathbb{R}^{d_{model} \times d_k}$ side by side form one
        # $d_{model} \times d_{model}$ matrix.
        self.query = nn.Linear(d_model, d_model, bias=bias)
        self.key = nn.Linear(d_model, d_model, bias=bias)
        self.value = nn.Linear(d_model, d_model, bias=bias)
        # The output projection $W^O$
        self.output = nn.Linear(d_model, d_model, bias=bias)
        # Dropout on the attention weights
        self.dropout = nn.Dropout(dropout)
        # The scale $\frac{1}{\sqrt{d_k}}$
        self.scale = 1 / math.sqrt(self.d_k)

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """
        ### Split into heads

        `[batch, seq, d_model]` becomes `[batch, heads, seq, d_k]`, so that each head is a separate
        batch of matrices for `torch.matmul`.
        """
        batch, seq, _ = x.shape
        x = x.view(batch, seq, self.n_heads, self.d_k)  # [batch, seq, heads, d_k]
        return x.transpose(1, 2)  # [batch, heads, seq, d_k]

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """
        ### Attend

        * `query` is `[batch, seq_q, d_model]`; `key` and `value` are `[batch, seq_k, d_model]`.
          For self-attention all three are the same tensor.
        * `mask` is a boolean tensor broadcastable to `[batch, heads, seq_q, seq_k]`;
          `True` means *query may attend to key*. For example `[batch, 1, 1, seq_k]` hides padding
          and a lower-triangular `[seq_q, seq_k]` matrix makes attention causal.
          Every query must keep at least one key, or its softmax has nothing to normalise.

        Returns `[batch, seq_q, d_model]`.
        """

        # Project and split into heads: $Q W^Q_i$, $K W^K_i$, $V W^V_i$
        q = self.split_heads(self.query(query))  # [batch, heads, seq_q, d_k]
        k = self.split_heads(self.key(key))  # [batch, heads, seq_k, d_k]
        v = self.split_heads(self.value(value))  # [batch, heads, seq_k, d_k]

        # The attention logits $\frac{Q K^\top}{\sqrt{d_k}}$ of every head
        scores = torch.matmul(q, k.transpose(-2, -1)) * self.scale  # [batch, heads, seq_q, seq_k]

        # Masked-out keys get $-\infty$, so their softmax weight is exactly zero
        if mask is not None:
            scores = scores.masked_fill(~mask.to(torch.bool), float("-inf"))

        # $\operatorname{softmax}$ over the keys, so each query's weights sum to one
        attn = scores.softmax(dim=-1)  # [batch, heads, seq_q, seq_k]
        attn = self.dropout(attn)

        # Weighted sum of the values, $\text{head}_i$
        heads = torch.matmul(attn, v)  # [batch, heads, seq_q, d_k]

        # $\operatorname{Concat}(\text{head}_1, \dots, \text{head}_h)$: move the head axis back next to
        # $d_k$ and merge them
        batch, _, seq_q, _ = heads.shape
        heads = heads.transpose(1, 2).reshape(batch, seq_q, self.d_model)  # [batch, seq_q, d_model]

        # Multiply by $W^O$
        return self.output(heads)  # [batch, seq_q, d_model]
