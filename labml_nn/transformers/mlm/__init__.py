r"""
---
title: Masked Language Modelling
summary: BERT's masked language modelling in PyTorch, with attention or MLP-Mixer's token mixing.
paper: "1810.04805"
---

# Masked Language Modelling (MLM)

This is the pre-training task of
[BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding](https://arxiv.org/abs/1810.04805)
(Devlin et al., 2018), section 3.1, "Task #1: Masked LM".

A left-to-right language model predicts token $t$ from tokens $1 \dots t-1$ only. To train a *bidirectional*
encoder, where every position sees the whole sentence, BERT instead hides some tokens and asks the model to
recover them from both sides:

1. Choose 15% of the token positions at random.
2. Of the chosen positions, replace
    * 80% with the special `[MASK]` token,
    * 10% with a random token, and
    * leave 10% unchanged.
3. Predict the original token at every chosen position, with a cross-entropy loss over the vocabulary.
   Positions that were not chosen contribute nothing to the loss.

`[MASK]` never appears when the model is fine-tuned or used, so always replacing with it would make the
pre-training inputs look different from real ones. Because a chosen token may also be a random token or the
right one, the model cannot tell which positions will be scored and must keep a good representation of every
token.

The model here is a [Transformer encoder](../models.html#Encoder) over token and position embeddings
followed by a linear map to vocabulary logits. It is smaller and simpler than BERT in three ways, each
marked where the code makes it:

* its layers are **pre-norm** (LayerNorm in front of each sub-layer, plus one at the end); BERT, like the
  original Transformer, is post-norm;
* its **prediction head is one linear layer** with its own weights; BERT first transforms the output
  (a dense layer, GELU and LayerNorm) and then multiplies by the *transposed token embedding table*
  (the input and output embeddings are tied), plus a bias per token;
* it has no `[CLS]`/`[SEP]` tokens, segment embeddings or next-sentence task: just masked language modelling
  on windows of text.

Its token-mixing sub-layer is either
[multi-head self-attention](../mha.html#MultiHeadAttention) or the
[token-mixing MLP of MLP-Mixer](../mlp_mixer/index.html#TokenMixing), which turns it into an MLP-Mixer for
text.
The [experiment](experiment.html) trains both on a small corpus and compares them.
"""

from collections.abc import Sequence

import torch
from torch import nn

from labml_nn.transformers.embeddings import LearnedPositionalEmbedding, TokenEmbedding
from labml_nn.transformers.feed_forward import FeedForward
from labml_nn.transformers.mha import MultiHeadAttention
from labml_nn.transformers.mlp_mixer import TokenMixing
from labml_nn.transformers.models import Encoder, TransformerLayer

# The label value that `torch.nn.functional.cross_entropy` ignores by default (`ignore_index=-100`)
IGNORE_INDEX = -100


def mask_tokens(
    tokens: torch.Tensor,
    *,
    vocab_size: int,
    mask_token_id: int,
    no_mask_ids: Sequence[int] = (),
    p_mask: float = 0.15,
    p_replace_mask: float = 0.8,
    p_random: float = 0.1,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """
    ## Mask tokens

    * `tokens` is an integer tensor of any shape, usually `[batch, seq]`
    * `vocab_size` is the number of token ids; random replacements are drawn uniformly from `0..vocab_size-1`
    * `mask_token_id` is the id of `[MASK]`
    * `no_mask_ids` are ids that are never chosen, such as padding, `[CLS]` and `[SEP]`
    * `p_mask` is the probability that a position is chosen (15%)
    * `p_replace_mask` and `p_random` are the probabilities that a *chosen* position becomes `[MASK]`
      (80%) or a random token (10%); otherwise (the remaining 10%) it keeps its token
    * `generator` makes the masking reproducible; it must be on the same device as `tokens`

    Each position is chosen independently, so the number of chosen positions is 15% *on average*.

    Returns `(inputs, labels)`, both shaped like `tokens`: `inputs` are the tokens with the replacements made,
    and `labels` hold the original token at chosen positions and `-100` (ignored by the loss) elsewhere.
    """
    if not 0 <= p_replace_mask + p_random <= 1:
        raise ValueError("p_replace_mask + p_random must be between 0 and 1")
    device = tokens.device

    # Step 1: choose each position with probability `p_mask`, except the protected ids
    chosen = torch.rand(tokens.shape, generator=generator, device=device) < p_mask
    if len(no_mask_ids) > 0:
        protected = torch.isin(tokens, torch.tensor(list(no_mask_ids), device=device, dtype=tokens.dtype))
        chosen = chosen & ~protected

    # Step 2: one uniform number $u$ per position decides what happens to a chosen one:
    # $u < 0.8$ becomes `[MASK]`, $0.8 \le u < 0.9$ becomes a random token, the rest stay as they are
    u = torch.rand(tokens.shape, generator=generator, device=device)
    to_mask = chosen & (u < p_replace_mask)
    to_random = chosen & (u >= p_replace_mask) & (u < p_replace_mask + p_random)
    random_tokens = torch.randint(0, vocab_size, tokens.shape, generator=generator, device=device,
                                  dtype=tokens.dtype)

    inputs = tokens.clone()
    inputs[to_mask] = mask_token_id
    inputs[to_random] = random_tokens[to_random]

    # Step 3: the targets are the original tokens at the chosen positions only
    labels = torch.where(chosen, tokens, torch.full_like(tokens, IGNORE_INDEX))
    #
    return inputs, labels


class MaskedLanguageModel(nn.Module):
    r"""
    ## Masked language model

    * `vocab_size` is the number of token ids
    * `seq_len` is the maximum (attention) or exact (`mlp_mixer`) sequence length
    * `d_model`, `n_layers`, `n_heads` and `d_ff` size the encoder; `n_heads` is unused by the Mixer
    * `mixer` is `"attention"` for a Transformer encoder or `"mlp_mixer"` to replace every
      self-attention by a [`TokenMixing`](../mlp_mixer/index.html#TokenMixing) MLP over the sequence
    * `token_mlp_dim` is the hidden width $D_S$ of the token-mixing MLP (default `d_ff`)
    * `dropout` is the dropout probability inside the encoder

    With `mlp_mixer` the model has no position embeddings: the token-mixing weights are specific to each
    position already, just as in the vision [MLP-Mixer](../mlp_mixer/index.html). It also has to be given
    sequences of exactly `seq_len` tokens (pad shorter ones).
    """

    def __init__(
        self,
        *,
        vocab_size: int,
        seq_len: int,
        d_model: int,
        n_layers: int,
        n_heads: int,
        d_ff: int,
        mixer: str = "attention",
        dropout: float = 0.0,
        token_mlp_dim: int | None = None,
    ):
        super().__init__()
        if mixer not in ("attention", "mlp_mixer"):
            raise ValueError(f"mixer must be 'attention' or 'mlp_mixer', got {mixer!r}")
        self.mixer = mixer
        self.seq_len = seq_len
        # Token embeddings, `[batch, seq]` to `[batch, seq, d_model]`
        self.token_embedding = TokenEmbedding(vocab_size, d_model)
        # Learned position embeddings, only needed by attention
        self.position_embedding = None
        if mixer == "attention":
            self.position_embedding = LearnedPositionalEmbedding(seq_len, d_model)
        self.dropout = nn.Dropout(dropout)
        token_mlp_dim = d_ff if token_mlp_dim is None else token_mlp_dim

        # The token-mixing sub-layer of each encoder layer
        def make_mixer() -> nn.Module:
            if mixer == "attention":
                return MultiHeadAttention(d_model, n_heads, dropout=dropout)
            return TokenMixing(seq_len, d_model, token_mlp_dim)

        # Encoder layers with a GELU feed-forward network, as BERT's, but pre-norm where BERT is post-norm
        def make_layer() -> TransformerLayer:
            feed_forward = FeedForward(d_model, d_ff, dropout=dropout)
            return TransformerLayer(d_model, make_mixer(), feed_forward, dropout)

        self.encoder = Encoder(make_layer, n_layers, d_model)
        # The prediction head: encoder output to a logit per vocabulary entry. One linear layer, untied from
        # the token embeddings (BERT adds a dense-GELU-LayerNorm transform and reuses the embedding table)
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, tokens: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """
        `tokens` is `[batch, seq]` (the `inputs` from [`mask_tokens`](#mask_tokens)); `mask` is an optional
        padding mask for the encoder, broadcastable to `[batch, 1, 1, seq]`, `True` = real token.
        Returns logits `[batch, seq, vocab_size]`; train with
        `F.cross_entropy(logits.flatten(0, 1), labels.flatten())`, which ignores the `-100` labels.
        """
        x = self.token_embedding(tokens)  # [batch, seq, d_model]
        if self.position_embedding is not None:
            x = self.position_embedding(x)  # [batch, seq, d_model]
        x = self.dropout(x)
        x = self.encoder(x, mask=mask)  # [batch, seq, d_model]
        return self.head(x)  # [batch, seq, vocab_size]
