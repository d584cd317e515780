"""PoolFormer behaves as the paper (arXiv 2111.11418) says.

Mutations these tests are meant to catch (each was applied to the code once, by hand, and made a test fail):

* the input not subtracted from the pooling (AvgPool(T) instead of AvgPool(T) - T)  (test_pooling_...)
* zero padding counted in the border averages (count_include_pad=True)              (test_pooling_...)
* GroupNorm with one group per channel instead of one group                         (test_forward_is_...)
* a LayerScale dropped                                                               (test_forward_is_...)
* a residual connection removed                                                      (test_forward_is_...)
* the downsampling between stages given stride 1                                    (test_stage_resolutions)
* the stem given stride 2 instead of 4                                              (test_stage_resolutions)
"""

import torch
import torch.nn.functional as F
from model_helpers import randomize
from paper_equations import linear

from labml_nn.transformers.poolformer import PoolFormer, PoolFormerBlock, Pooling, poolformer_s12


def tiny_poolformer() -> PoolFormer:
    return PoolFormer(in_channels=3, n_classes=5, layers=(1, 2), dims=(4, 6), stem=(3, 1, 1))


def paper_poolformer(model: PoolFormer, x: torch.Tensor) -> torch.Tensor:
    """Equations 1-4: Y = X + s1 * (AvgPool(GN(X)) - GN(X)), Z = Y + s2 * MLP(GN(Y)); GroupNorm with one group."""
    for m in model.stages:
        if isinstance(m, torch.nn.Conv2d):
            x = F.conv2d(x, m.weight, m.bias, stride=m.stride, padding=m.padding)
            continue
        n = F.group_norm(x, 1, m.norm1.weight, m.norm1.bias)
        pooled = F.avg_pool2d(n, 3, stride=1, padding=1, count_include_pad=False) - n
        y = x + m.scale1.scale[:, None, None] * pooled
        n = F.group_norm(y, 1, m.norm2.weight, m.norm2.bias)
        c1, c2 = m.mlp[0], m.mlp[2]
        h = F.conv2d(F.gelu(F.conv2d(n, c1.weight, c1.bias)), c2.weight, c2.bias)
        x = y + m.scale2.scale[:, None, None] * h
    pooled = F.group_norm(x, 1, model.norm.weight, model.norm.bias).mean(dim=(2, 3))
    return linear(pooled, model.head)


def test_forward_is_equations_1_to_4():
    torch.manual_seed(0)
    model = tiny_poolformer().double().eval()
    randomize(model)
    x = torch.randn(2, 3, 8, 8, dtype=torch.float64)
    assert model(x).shape == (2, 5)
    torch.testing.assert_close(model(x), paper_poolformer(model, x), rtol=1e-9, atol=1e-9)


def test_pooling_has_no_parameters_and_maps_constants_to_zero():
    """AvgPool(T) - T is zero on a constant map, borders included, because the padding is not counted."""
    pool = Pooling(3)
    assert not list(pool.parameters())
    x = torch.full((1, 2, 5, 5), 3.0)
    assert torch.equal(pool(x), torch.zeros_like(x))
    # And it is the 3x3 mean minus the centre inside
    y = torch.randn(1, 1, 5, 5)
    torch.testing.assert_close(pool(y)[0, 0, 2, 2], y[0, 0, 1:4, 1:4].mean() - y[0, 0, 2, 2])


def test_layer_scale_starts_small():
    block = PoolFormerBlock(4)
    assert torch.equal(block.scale1.scale, torch.full((4,), 1e-5))
    assert torch.equal(block.scale2.scale, torch.full((4,), 1e-5))


def test_stage_resolutions():
    """Stem stride 4 then three halvings: H/4, H/8, H/16, H/32 (section 3.2)."""
    model = poolformer_s12()
    sizes = []
    for m in model.stages:
        if isinstance(m, torch.nn.Conv2d):
            m.register_forward_hook(lambda mod, inp, out: sizes.append(tuple(out.shape[1:])))
    with torch.no_grad():
        model(torch.randn(1, 3, 64, 64))
    assert sizes == [(64, 16, 16), (128, 8, 8), (320, 4, 4), (512, 2, 2)]
