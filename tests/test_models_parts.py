"""Transformer parts and normalization layers equal their PyTorch references."""

import pytest
import torch
import torch.nn.functional as F

from labml_nn.normalization.batch_norm import BatchNorm
from labml_nn.normalization.layer_norm import LayerNorm
from labml_nn.transformers.embeddings import LearnedPositionalEmbedding, PatchEmbedding, TokenEmbedding
from labml_nn.transformers.feed_forward import FeedForward
from labml_nn.transformers.mha import MultiHeadAttention
from labml_nn.transformers.models import Encoder, TransformerLayer

# ---------------------------------------------------------------------------------------------- attention


def reference_attention(mha: MultiHeadAttention, q, k, v, mask=None):
    """The same projections, with `scaled_dot_product_attention` doing the attention."""
    b, sq, d = q.shape
    h = mha.n_heads

    def split(x):
        return x.view(b, x.shape[1], h, d // h).transpose(1, 2)

    out = F.scaled_dot_product_attention(split(mha.query(q)), split(mha.key(k)), split(mha.value(v)),
                                         attn_mask=mask)
    return mha.output(out.transpose(1, 2).reshape(b, sq, d))


@pytest.mark.parametrize("bias", [True, False])
def test_attention_equals_scaled_dot_product_attention(bias):
    torch.manual_seed(0)
    mha = MultiHeadAttention(16, 4, bias=bias).double()
    q = torch.randn(2, 5, 16, dtype=torch.float64)
    kv = torch.randn(2, 7, 16, dtype=torch.float64)
    torch.testing.assert_close(mha(q, kv, kv), reference_attention(mha, q, kv, kv), rtol=1e-10, atol=1e-10)


def test_attention_with_masks_equals_scaled_dot_product_attention():
    torch.manual_seed(0)
    mha = MultiHeadAttention(16, 4).double()
    x = torch.randn(2, 6, 16, dtype=torch.float64)
    # Causal mask [seq_q, seq_k]
    causal = torch.tril(torch.ones(6, 6, dtype=torch.bool))
    torch.testing.assert_close(mha(x, x, x, mask=causal), reference_attention(mha, x, x, x, causal),
                               rtol=1e-10, atol=1e-10)
    # Padding mask [batch, 1, 1, seq_k]
    padding = torch.tensor([[True] * 4 + [False] * 2, [True] * 6])[:, None, None, :]
    torch.testing.assert_close(mha(x, x, x, mask=padding), reference_attention(mha, x, x, x, padding),
                               rtol=1e-10, atol=1e-10)
    # Per-head random mask [batch, heads, seq_q, seq_k], keeping the diagonal so no row is empty
    rand = (torch.rand(2, 4, 6, 6) > 0.5) | torch.eye(6, dtype=torch.bool)
    torch.testing.assert_close(mha(x, x, x, mask=rand), reference_attention(mha, x, x, x, rand),
                               rtol=1e-10, atol=1e-10)


def test_attention_parameter_count_and_bad_heads():
    assert sum(p.numel() for p in MultiHeadAttention(32, 4).parameters()) == 4 * (32 * 32 + 32)
    with pytest.raises(ValueError):
        MultiHeadAttention(30, 4)


# --------------------------------------------------------------------------------------------- encoder


def test_feed_forward_and_encoder_shapes():
    ff = FeedForward(8, 32)
    assert isinstance(ff.activation, torch.nn.GELU)
    assert ff(torch.randn(2, 3, 8)).shape == (2, 3, 8)

    def make():
        return TransformerLayer(8, MultiHeadAttention(8, 2), FeedForward(8, 16))

    x = torch.randn(2, 5, 8)
    assert Encoder(make, 3, 8)(x).shape == x.shape
    assert len(Encoder(make(), 3).layers) == 3
    assert len(Encoder([make(), make()]).layers) == 2
    with pytest.raises(ValueError):
        Encoder([make(), make()], n_layers=3)


def test_transformer_layer_is_pre_norm():
    """x + attn(LN(x)), then + ff(LN(.)), written out by hand."""
    torch.manual_seed(0)
    attn, ff = MultiHeadAttention(8, 2).double(), FeedForward(8, 16).double()
    layer = TransformerLayer(8, attn, ff).double()
    x = torch.randn(2, 5, 8, dtype=torch.float64)
    z = F.layer_norm(x, (8,), layer.norm_self_attn.weight, layer.norm_self_attn.bias)
    u = x + attn(z, z, z)
    expected = u + ff(F.layer_norm(u, (8,), layer.norm_ff.weight, layer.norm_ff.bias))
    torch.testing.assert_close(layer(x), expected)


def test_embeddings():
    tokens = torch.randint(0, 10, (2, 7))
    emb = TokenEmbedding(10, 8)
    x = emb(tokens)
    assert x.shape == (2, 7, 8)
    pos = LearnedPositionalEmbedding(9, 8)
    torch.testing.assert_close(pos(x), x + pos.positional_encodings[:, :7])
    with pytest.raises(ValueError):
        pos(torch.randn(1, 10, 8))
    patches = PatchEmbedding((8, 12), 4, 3, 16)
    assert patches.n_patches == 6
    assert patches(torch.randn(2, 3, 8, 12)).shape == (2, 6, 16)


# ------------------------------------------------------------------------------------------ normalization


@pytest.mark.parametrize("shape", [(8, 4), (8, 4, 5), (4, 4, 3, 5)])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batch_norm_equals_torch(shape, momentum):
    torch.manual_seed(0)
    channels = shape[1]
    ours = BatchNorm(channels, momentum=momentum).double()
    ref = {2: torch.nn.BatchNorm1d, 3: torch.nn.BatchNorm1d, 4: torch.nn.BatchNorm2d}[len(shape)](
        channels, momentum=momentum
    ).double()
    with torch.no_grad():
        w, b = torch.randn(channels), torch.randn(channels)
        ours.scale.copy_(w)
        ours.shift.copy_(b)
        ref.weight.copy_(w)
        ref.bias.copy_(b)
    # Training: batch statistics, and the running estimates follow
    for _ in range(3):
        x = torch.randn(*shape, dtype=torch.float64) * 3 + 1
        torch.testing.assert_close(ours(x), ref(x))
    torch.testing.assert_close(ours.exp_mean, ref.running_mean)
    torch.testing.assert_close(ours.exp_var, ref.running_var)  # unbiased, like torch
    assert int(ours.num_batches_tracked) == int(ref.num_batches_tracked) == 3
    # Evaluation: the running estimates
    ours.eval()
    ref.eval()
    x = torch.randn(*shape, dtype=torch.float64)
    torch.testing.assert_close(ours(x), ref(x))


def test_batch_norm_gradients_and_options_equal_torch():
    torch.manual_seed(0)
    x = torch.randn(6, 3, 4, 4, dtype=torch.float64, requires_grad=True)
    ours = BatchNorm(3, affine=False, track_running_stats=False).double()
    ref = torch.nn.BatchNorm2d(3, affine=False, track_running_stats=False).double()
    (g_ours,) = torch.autograd.grad((ours(x) ** 3).sum(), x)
    (g_ref,) = torch.autograd.grad((ref(x) ** 3).sum(), x)
    torch.testing.assert_close(g_ours, g_ref)
    # Without running statistics, evaluation also uses the batch statistics
    ours.eval()
    ref.eval()
    torch.testing.assert_close(ours(x), ref(x))
    assert list(ours.parameters()) == []


@pytest.mark.parametrize("normalized_shape", [8, (8,), (4, 8), [3, 4, 8]])
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm_equals_torch(normalized_shape, affine):
    torch.manual_seed(0)
    ours = LayerNorm(normalized_shape, elementwise_affine=affine).double()
    ref = torch.nn.LayerNorm(normalized_shape, elementwise_affine=affine).double()
    if affine:
        with torch.no_grad():
            w = torch.randn(ours.normalized_shape, dtype=torch.float64)
            b = torch.randn(ours.normalized_shape, dtype=torch.float64)
            ours.gain.copy_(w)
            ours.bias.copy_(b)
            ref.weight.copy_(w)
            ref.bias.copy_(b)
    x = (torch.randn(2, 3, 4, 8, dtype=torch.float64) * 5 + 2).requires_grad_()
    torch.testing.assert_close(ours(x), ref(x))
    (g_ours,) = torch.autograd.grad((ours(x) ** 3).sum(), x)
    (g_ref,) = torch.autograd.grad((ref(x) ** 3).sum(), x)
    torch.testing.assert_close(g_ours, g_ref)


def test_layer_norm_float32_matches_torch():
    x = torch.randn(4, 10, 32)
    torch.testing.assert_close(LayerNorm(32)(x), torch.nn.LayerNorm(32)(x), rtol=1e-5, atol=1e-5)
