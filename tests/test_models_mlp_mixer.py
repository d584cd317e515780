"""MLP-Mixer behaves as the paper (arXiv 2105.01601) says.

Mutations these tests are meant to catch (each was applied to the code once, by hand, and made a test fail):

* the pre-head LayerNorm skipped                                       (test_forward_is_equation_1_pooling_and_head)
* global average pooling replaced (first token, max, sum)               (test_forward_is_equation_1_pooling_and_head)
* the token-mixing MLP applied to rows instead of columns (no transpose) (test_forward_is_equation_1_..., shapes)
* a skip-connection removed (token or channel mixing)                   (test_forward_is_equation_1_pooling_and_head)
* a LayerNorm moved after its MLP or dropped                            (test_forward_is_equation_1_pooling_and_head)
* token-mixing weights made position-independent (shared over tokens)   (test_shuffling_patches_changes_output_...)
* a position embedding added                                            (test_no_position_embeddings)
"""

import pytest
import torch
import torch.nn.functional as F
from model_helpers import randomize, shuffle_patches
from paper_equations import layer_norm, linear, mlp
from torch.utils.flop_counter import FlopCounterMode

from labml_nn.transformers.embeddings import image_to_patches, patches_to_image
from labml_nn.transformers.mlm import MaskedLanguageModel
from labml_nn.transformers.mlp_mixer import MixerLayer, MLPMixer, TokenMixing, mixer_b16
from labml_nn.transformers.models import TransformerLayer


def tiny_mixer(image_size=16, patch_size=4, n_classes=5, d_model=8, **kwargs) -> MLPMixer:
    return MLPMixer(image_size=image_size, patch_size=patch_size, in_channels=3, n_classes=n_classes,
                    d_model=d_model, n_layers=2, token_mlp_dim=6, channel_mlp_dim=12, **kwargs)


def flops(model: torch.nn.Module, x: torch.Tensor) -> int:
    counter = FlopCounterMode(display=False)
    with counter:
        model(x)
    return counter.get_total_flops()


def test_forward_shape():
    model = tiny_mixer()
    assert model(torch.randn(2, 3, 16, 16)).shape == (2, 5)
    assert tiny_mixer(n_classes=0)(torch.randn(2, 3, 16, 16)).shape == (2, 8)


def paper_mixer(model: MLPMixer, x: torch.Tensor) -> torch.Tensor:
    """
    Section 2 written out with functional operations and the model's weights: the per-patch linear stem,
    equation 1 for every layer (token mixing on the columns of X, channel mixing on its rows), the
    pre-head LayerNorm, global average pooling and the linear head.
    """
    table = linear(image_to_patches(x, model.patch_embedding.patch_size), model.patch_embedding.projection)
    for layer in model.layers:
        tm = layer.token_mixing
        # U_{*,i} = X_{*,i} + W_2 GELU(W_1 LayerNorm(X)_{*,i}): columns are the rows of the transposed table
        columns = layer_norm(table, layer.norm1).transpose(1, 2)  # [batch, C, S]
        table = table + linear(F.gelu(linear(columns, tm.layer1)), tm.layer2).transpose(1, 2)
        # Y_{j,*} = U_{j,*} + W_4 GELU(W_3 LayerNorm(U)_{j,*})
        table = table + mlp(layer.channel_mixing, layer_norm(table, layer.norm2))
    pooled = layer_norm(table, model.norm).mean(dim=1)  # [batch, C]
    return linear(pooled, model.head)


def test_forward_is_equation_1_pooling_and_head():
    torch.manual_seed(0)
    model = tiny_mixer().double().eval()
    randomize(model)
    x = torch.randn(3, 3, 16, 16, dtype=torch.float64)
    torch.testing.assert_close(model(x), paper_mixer(model, x), rtol=1e-9, atol=1e-9)


def test_initialisation_head_zero_and_mlps_xavier():
    """The untrained network predicts uniform probabilities; biases start near zero."""
    torch.manual_seed(0)
    model = tiny_mixer()
    assert torch.equal(model(torch.randn(2, 3, 16, 16)), torch.zeros(2, 5))
    w = model.layers[0].channel_mixing.layer1.weight  # [D_C, C] = [12, 8]
    bound = (6 / (w.shape[0] + w.shape[1])) ** 0.5  # Xavier-uniform's bound
    assert w.abs().max() <= bound and w.abs().max() > 0.5 * bound
    assert model.layers[0].channel_mixing.layer1.bias.abs().max() < 1e-4


def test_stochastic_depth_only_in_training():
    torch.manual_seed(0)
    model = tiny_mixer(drop_path=0.5).eval()
    randomize(model)
    x = torch.randn(4, 3, 16, 16)
    plain = tiny_mixer()
    plain.load_state_dict(model.state_dict())
    torch.testing.assert_close(model(x), plain.eval()(x))
    model.train()
    assert not torch.allclose(model(x), model(x))


def test_token_mixing_weights_have_shape_ds_by_s_and_do_not_depend_on_channels():
    with torch.device("meta"):
        model = mixer_b16()
    layer = model.layers[0]
    # S = 196 patches, D_S = 384
    assert layer.token_mixing.layer1.weight.shape == (384, 196)  # W_1 in R^{D_S x S}
    assert layer.token_mixing.layer2.weight.shape == (196, 384)  # W_2 in R^{S x D_S}
    # Changing the hidden size C changes nothing in the token-mixing MLP
    shapes = {
        c: [tuple(p.shape) for p in MixerLayer(196, c, 384, 64).token_mixing.parameters()]
        for c in (8, 32, 768)
    }
    assert shapes[8] == shapes[32] == shapes[768]


def test_no_position_embeddings():
    model = tiny_mixer()
    names = [name for name, _ in model.named_parameters()]
    assert not any("position" in name for name in names)


def test_patch_embedding_equals_strided_convolution():
    """The per-patch fully-connected layer is a convolution with kernel = stride = P."""
    torch.manual_seed(0)
    model = tiny_mixer().double()
    embed = model.patch_embedding
    conv = torch.nn.Conv2d(3, 8, kernel_size=4, stride=4).double()
    with torch.no_grad():
        # Linear weight [d_model, P*P*C] flattened as (row, column, channel) -> conv weight [d_model, C, P, P]
        conv.weight.copy_(embed.projection.weight.view(8, 4, 4, 3).permute(0, 3, 1, 2))
        conv.bias.copy_(embed.projection.bias)
    x = torch.randn(2, 3, 16, 16, dtype=torch.float64)
    expected = conv(x).flatten(2).transpose(1, 2)  # [batch, n_patches, d_model]
    torch.testing.assert_close(embed(x), expected, rtol=1e-12, atol=1e-12)


def test_patch_helpers_round_trip():
    x = torch.randn(2, 3, 8, 12)
    assert torch.equal(patches_to_image(image_to_patches(x, 4), 4, 8, 12), x)


def test_shuffling_patches_changes_output_and_permuting_token_weights_restores_it():
    torch.manual_seed(0)
    model = tiny_mixer().double().eval()
    randomize(model)
    x = torch.randn(3, 3, 16, 16, dtype=torch.float64)
    n_patches = model.n_patches
    perm = torch.randperm(n_patches)
    assert not torch.equal(perm, torch.arange(n_patches))
    shuffled = shuffle_patches(x, perm, 4)

    out = model(x)
    out_shuffled = model(shuffled)
    # The token-mixing weights are position specific: a shuffled image is a different input
    assert not torch.allclose(out, out_shuffled, rtol=1e-3, atol=1e-3)

    # Patch j of the shuffled image is patch perm[j] of the original. Reorder the token-mixing weights the
    # same way: columns of W_1, rows of W_2 and b_2
    with torch.no_grad():
        for layer in model.layers:
            tm = layer.token_mixing
            tm.layer1.weight.copy_(tm.layer1.weight[:, perm])
            tm.layer2.weight.copy_(tm.layer2.weight[perm, :])
            tm.layer2.bias.copy_(tm.layer2.bias[perm])
    torch.testing.assert_close(model(shuffled), out, rtol=1e-12, atol=1e-12)


def test_flops_exactly_double_when_patches_double():
    """
    Without the head (a constant cost), every matrix multiplication of Mixer runs over the patches: the
    stem once per patch, the token-mixing MLP over rows of length S (cost S * D_S per channel) and the
    channel-mixing MLP once per patch. Normalisation, GELU and pooling are not counted by
    `FlopCounterMode`. A 16x32 image has exactly twice the 4x4 patches of a 16x16 one, so the counted
    FLOPs double exactly.
    """
    small = tiny_mixer(image_size=(16, 16), n_classes=0)
    large = tiny_mixer(image_size=(16, 32), n_classes=0)
    assert large.n_patches == 2 * small.n_patches
    f_small = flops(small, torch.randn(1, 3, 16, 16))
    f_large = flops(large, torch.randn(1, 3, 16, 32))
    assert f_small > 0
    assert f_large == 2 * f_small


def test_token_mixing_plugs_into_transformer_layer():
    torch.manual_seed(0)
    layer = TransformerLayer(8, TokenMixing(5, 8, 6), torch.nn.Linear(8, 8))
    x = torch.randn(2, 5, 8)
    assert layer(x).shape == (2, 5, 8)


def test_mixer_layer_is_a_transformer_layer_with_token_mixing():
    """Equation (1) written out equals a pre-norm Transformer layer with TokenMixing for attention."""
    torch.manual_seed(0)
    mixer_layer = MixerLayer(5, 8, 6, 12).double()
    transformer_layer = TransformerLayer(8, mixer_layer.token_mixing, mixer_layer.channel_mixing).double()
    transformer_layer.norm_self_attn = mixer_layer.norm1
    transformer_layer.norm_ff = mixer_layer.norm2
    x = torch.randn(2, 5, 8, dtype=torch.float64)
    torch.testing.assert_close(transformer_layer(x), mixer_layer(x), rtol=1e-12, atol=1e-12)


def test_token_mixing_padding_mask_hides_padded_tokens():
    torch.manual_seed(0)
    tm = TokenMixing(6, 4, 8).double()
    x = torch.randn(2, 6, 4, dtype=torch.float64)
    keep = torch.tensor([[True] * 4 + [False] * 2, [True] * 6])  # [batch, seq]
    mask = keep[:, None, None, :]  # [batch, 1, 1, seq]
    out = tm(x, x, x, mask=mask)
    # Changing the padded tokens does not change the output anywhere
    y = x.clone()
    y[0, 4:] = 100.0
    torch.testing.assert_close(tm(y, y, y, mask=mask), out)
    # A mask that differs between queries (causal) cannot be expressed
    causal = torch.tril(torch.ones(6, 6, dtype=torch.bool))
    with pytest.raises(ValueError):
        tm(x, x, x, mask=causal)


def test_token_mixing_requires_its_sequence_length():
    tm = TokenMixing(6, 4, 8)
    with pytest.raises(ValueError):
        tm(torch.randn(1, 5, 4))


def test_mlm_mixer_has_no_position_embeddings():
    model = MaskedLanguageModel(vocab_size=20, seq_len=8, d_model=16, n_layers=1, n_heads=2, d_ff=32,
                                mixer="mlp_mixer")
    assert model.position_embedding is None
