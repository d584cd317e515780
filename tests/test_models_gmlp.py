"""gMLP behaves as the paper (arXiv 2105.08050) says.

Mutations these tests are meant to catch (each was applied to the code once, by hand, and made a test fail):

* the gate halves swapped, Z2 * f(LN(Z1)) instead of Z1 * f(LN(Z2))     (test_forward_is_equations_1_to_4)
* the LayerNorm of Z2 dropped                                           (test_forward_is_equations_1_to_4)
* the spatial projection applied to channels instead of tokens          (test_forward_is_equations_1_to_4)
* the residual connection of the block removed                          (test_forward_is_equations_1_to_4)
* the final LayerNorm before pooling removed                            (test_forward_is_equations_1_to_4)
* b initialised to zeros instead of ones (no near-identity start)       (test_fresh_gate_is_near_identity)
* W initialised with PyTorch's default instead of near zero             (test_fresh_gate_is_near_identity)
* spatial weights made position-independent (mean over tokens)          (test_forward_..., test_shuffling_...)
* padded tokens reaching the others through W                          (test_padding_mask_hides_padded_tokens)
"""

import torch
import torch.nn.functional as F
from model_helpers import randomize, shuffle_patches
from paper_equations import layer_norm, linear

from labml_nn.transformers.embeddings import image_to_patches
from labml_nn.transformers.gmlp import GMLPBlock, GMLPVision, SpatialGatingUnit
from labml_nn.transformers.mlm import MaskedLanguageModel


def tiny_gmlp(**kwargs) -> GMLPVision:
    return GMLPVision(image_size=8, patch_size=2, in_channels=3, n_classes=5, d_model=8, d_ffn=12, n_layers=2,
                      **kwargs)


def paper_gmlp(model: GMLPVision, x: torch.Tensor) -> torch.Tensor:
    """Equations 1-4 with functional operations: Z = GELU(LN(X) U), s(Z) = Z1 * (W LN(Z2) + b), Y = X + s(Z) V."""
    table = linear(image_to_patches(x, 2), model.patch_embedding.projection)  # [batch, n, d]
    for block in model.layers:
        z = F.gelu(linear(layer_norm(table, block.norm), block.proj_in))  # [batch, n, d_ffn]
        half = z.shape[-1] // 2
        z1, z2 = z[..., :half], z[..., half:]
        z2 = layer_norm(z2, block.sgu.norm)
        w, b = block.sgu.spatial.weight, block.sgu.spatial.bias  # [n, n], [n]
        gate = torch.einsum("ij,bjc->bic", w, z2) + b[None, :, None]
        table = table + linear(z1 * gate, block.proj_out)
    return linear(layer_norm(table, model.norm).mean(dim=1), model.head)


def test_forward_is_equations_1_to_4():
    torch.manual_seed(0)
    model = tiny_gmlp().double().eval()
    randomize(model)
    x = torch.randn(3, 3, 8, 8, dtype=torch.float64)
    assert model(x).shape == (3, 5)
    torch.testing.assert_close(model(x), paper_gmlp(model, x), rtol=1e-9, atol=1e-9)


def test_fresh_gate_is_near_identity():
    """W near zero and b = 1: s(Z) = Z1 at the start, so a block begins as a feed-forward network."""
    torch.manual_seed(0)
    sgu = SpatialGatingUnit(16, 12).double()
    assert torch.equal(sgu.spatial.bias, torch.ones(16, dtype=torch.float64))
    assert sgu.spatial.weight.abs().max() < 1e-4
    z = torch.randn(2, 16, 12, dtype=torch.float64)
    torch.testing.assert_close(sgu(z), z[..., :6], rtol=1e-4, atol=1e-4)


def test_shuffling_patches_changes_output_and_permuting_w_restores_it():
    torch.manual_seed(0)
    model = tiny_gmlp().double().eval()
    randomize(model)
    x = torch.randn(2, 3, 8, 8, dtype=torch.float64)
    perm = torch.randperm(16)
    shuffled = shuffle_patches(x, perm, 2)
    out = model(x)
    assert not torch.allclose(model(shuffled), out, rtol=1e-3, atol=1e-3)
    # Token j of the shuffled image is token perm[j]: reorder W's rows and columns and b the same way
    with torch.no_grad():
        for block in model.layers:
            s = block.sgu.spatial
            s.weight.copy_(s.weight[perm][:, perm])
            s.bias.copy_(s.bias[perm])
    torch.testing.assert_close(model(shuffled), out, rtol=1e-10, atol=1e-10)


def test_padding_mask_hides_padded_tokens():
    torch.manual_seed(0)
    block = GMLPBlock(4, 8, 6).double()
    randomize(block)
    x = torch.randn(2, 6, 4, dtype=torch.float64)
    keep = torch.tensor([[True] * 4 + [False] * 2, [True] * 6])[:, None, None, :]
    out = block(x, mask=keep)
    y = x.clone()
    y[0, 4:] = 50.0
    # Real tokens are unchanged; padded positions' own outputs are not asked for
    torch.testing.assert_close(block(y, mask=keep)[:, :4], out[:, :4])
    torch.testing.assert_close(block(y, mask=keep)[1], out[1])


def test_mlm_with_gmlp_and_fnet():
    for mixer, has_positions in (("gmlp", False), ("fnet", True)):
        model = MaskedLanguageModel(vocab_size=20, seq_len=8, d_model=16, n_layers=1, n_heads=2, d_ff=32,
                                    mixer=mixer)
        assert (model.position_embedding is not None) == has_positions
        assert model(torch.randint(0, 20, (2, 8))).shape == (2, 8, 20)
    gmlp = MaskedLanguageModel(vocab_size=20, seq_len=8, d_model=16, n_layers=1, n_heads=2, d_ff=32, mixer="gmlp")
    assert isinstance(gmlp.encoder.layers[0], GMLPBlock)
