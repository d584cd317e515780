"""ResMLP behaves as the paper (arXiv 2105.03404) says.

Mutations these tests are meant to catch (each was applied to the code once, by hand, and made a test fail):

* an Affine replaced by a LayerNorm                                     (test_no_normalisation_statistics, eq.)
* the cross-patch layer applied to channels instead of patches          (test_forward_is_equations_1_and_2)
* a residual connection removed                                         (test_forward_is_equations_1_and_2)
* GELU replaced by ReLU                                                  (test_forward_is_equations_1_and_2)
* the Affine before pooling dropped                                     (test_forward_is_equations_1_and_2)
* LayerScale started at 1 instead of epsilon                            (test_layer_scale_follows_the_depth)
* epsilon rule for 24 blocks wrong (0.1 instead of 1e-5)               (test_layer_scale_follows_the_depth)
* cross-patch weights made position-independent                         (test_forward_..., test_shuffling_...)
"""

import torch
import torch.nn.functional as F
from model_helpers import randomize, shuffle_patches
from paper_equations import linear

from labml_nn.transformers.embeddings import image_to_patches
from labml_nn.transformers.resmlp import ResMLP, layer_scale_init


def tiny_resmlp(**kwargs) -> ResMLP:
    return ResMLP(image_size=8, patch_size=2, in_channels=3, n_classes=5, d_model=6, n_layers=2, **kwargs)


def aff(x, a):
    return a.alpha * x + a.beta


def paper_resmlp(model: ResMLP, x: torch.Tensor) -> torch.Tensor:
    """Z = X + Aff((A Aff(X)^T)^T), Y = Z + Aff(C GELU(B Aff(Z))); Aff, average pooling, linear head."""
    table = linear(image_to_patches(x, 2), model.patch_embedding.projection)  # [batch, N, d]
    for blk in model.layers:
        a, bias = blk.cross_patch.linear.weight, blk.cross_patch.linear.bias  # [N, N], [N]
        mixed = torch.einsum("ij,bjc->bic", a, aff(table, blk.pre_patch)) + bias[None, :, None]
        z = table + aff(mixed, blk.scale_patch)
        table = z + aff(linear(F.gelu(linear(aff(z, blk.pre_channel), blk.layer_b)), blk.layer_c), blk.scale_channel)
    return linear(aff(table, model.norm).mean(dim=1), model.head)


def test_forward_is_equations_1_and_2():
    torch.manual_seed(0)
    model = tiny_resmlp().double().eval()
    randomize(model)
    x = torch.randn(3, 3, 8, 8, dtype=torch.float64)
    assert model(x).shape == (3, 5)
    torch.testing.assert_close(model(x), paper_resmlp(model, x), rtol=1e-9, atol=1e-9)


def test_no_normalisation_statistics():
    """No LayerNorm or BatchNorm: one sample's output does not depend on the others or on batch statistics."""
    model = tiny_resmlp()
    assert not [m for m in model.modules() if isinstance(m, (torch.nn.LayerNorm, torch.nn.BatchNorm1d))]
    torch.manual_seed(0)
    randomize(model)
    x = torch.randn(4, 3, 8, 8)
    # Scaling one channel of the table scales nothing else in an Affine
    h = torch.randn(2, 16, 6)
    h2 = h.clone()
    h2[..., 0] *= 10
    diff = model.norm(h2) - model.norm(h)
    assert torch.equal(diff[..., 1:], torch.zeros_like(diff[..., 1:]))
    torch.testing.assert_close(model(x)[:1], model(x[:1]))


def test_layer_scale_follows_the_depth():
    assert [layer_scale_init(n) for n in (12, 24, 36)] == [0.1, 1e-5, 1e-6]
    model = tiny_resmlp()
    block = model.layers[0]
    assert torch.equal(block.scale_patch.alpha, torch.full((6,), 0.1))
    assert torch.equal(block.scale_channel.alpha, torch.full((6,), 0.1))
    assert torch.equal(block.pre_patch.alpha, torch.ones(6)) and torch.equal(block.pre_patch.beta, torch.zeros(6))
    deep = ResMLP(image_size=8, patch_size=2, in_channels=3, n_classes=5, d_model=6, n_layers=24)
    assert torch.equal(deep.layers[-1].scale_channel.alpha, torch.full((6,), 1e-5))


def test_shuffling_patches_changes_output_and_permuting_a_restores_it():
    torch.manual_seed(0)
    model = tiny_resmlp().double().eval()
    randomize(model)
    x = torch.randn(2, 3, 8, 8, dtype=torch.float64)
    perm = torch.randperm(16)
    shuffled = shuffle_patches(x, perm, 2)
    out = model(x)
    assert not torch.allclose(model(shuffled), out, rtol=1e-3, atol=1e-3)
    with torch.no_grad():
        for blk in model.layers:
            lin = blk.cross_patch.linear
            lin.weight.copy_(lin.weight[perm][:, perm])
            lin.bias.copy_(lin.bias[perm])
    torch.testing.assert_close(model(shuffled), out, rtol=1e-10, atol=1e-10)
