"""ConvMixer behaves as the paper (arXiv 2201.09792) says.

Mutations these tests are meant to catch (each was applied to the code once, by hand, and made a test fail):

* the residual around the depth-wise convolution removed              (test_forward_is_the_papers_equations)
* a residual added around the point-wise convolution                  (test_forward_is_the_papers_equations)
* BatchNorm before the activation instead of after it                 (test_forward_is_the_papers_equations)
* global average pooling replaced (max pooling, one position)          (test_forward_is_the_papers_equations)
* the stem's activation or BatchNorm skipped                          (test_forward_is_the_papers_equations)
* a depth-wise convolution that mixes channels (groups=1)             (test_forward_is_..., test_one_layer_sees_...)
* symmetric padding for even kernels (the map grows or shifts)        (test_any_kernel_size_keeps_the_shape,
                                                                       test_one_layer_sees_exactly_a_k_by_k_...)
"""

import pytest
import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from labml_nn.conv_mixer import ConvMixer, ConvMixerLayer


def tiny(n_classes=5, kernel_size=3, activation="gelu") -> ConvMixer:
    return ConvMixer(dim=8, depth=2, kernel_size=kernel_size, patch_size=2, in_channels=3,
                     n_classes=n_classes, activation=activation)


def test_forward_shape_and_any_image_size():
    model = tiny()
    assert model(torch.randn(2, 3, 16, 16)).shape == (2, 5)
    assert model(torch.randn(2, 3, 12, 20)).shape == (2, 5)
    assert tiny(n_classes=0)(torch.randn(2, 3, 16, 16)).shape == (2, 8)


def batch_norm(z: torch.Tensor, bn: torch.nn.BatchNorm2d) -> torch.Tensor:
    """BatchNorm at inference: the running statistics."""
    return F.batch_norm(z, bn.running_mean, bn.running_var, bn.weight, bn.bias, training=False, eps=bn.eps)


def paper_conv_mixer(model: ConvMixer, x: torch.Tensor, k: int, p: int) -> torch.Tensor:
    """Section 2 of the paper written out with functional operations and the model's weights (GELU, odd k)."""
    stem = model.patch_embedding
    # z_0 = BN(GELU(Conv_{c_in -> h}(X, stride=p, kernel_size=p)))
    z = batch_norm(F.gelu(F.conv2d(x, stem.weight, stem.bias, stride=p)), model.patch_norm)
    for layer in model.layers:
        h = z.shape[1]
        dw, pw = layer.depthwise, layer.pointwise
        # z'_l = BN(GELU(ConvDepthwise(z_{l-1}))) + z_{l-1}
        z = batch_norm(F.gelu(F.conv2d(z, dw.weight, dw.bias, padding=k // 2, groups=h)), layer.norm1) + z
        # z_l = BN(GELU(ConvPointwise(z'_l)))
        z = batch_norm(F.gelu(F.conv2d(z, pw.weight, pw.bias)), layer.norm2)
    # Global average pooling and the linear classifier
    return F.linear(z.mean(dim=(2, 3)), model.head.weight, model.head.bias)


def test_forward_is_the_papers_equations():
    torch.manual_seed(0)
    model = tiny().double().eval()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.5)
        # Running statistics that are not the identity, so a skipped BatchNorm shows
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.5)
                m.running_var.uniform_(0.5, 2.0)
    x = torch.randn(3, 3, 16, 16, dtype=torch.float64)
    torch.testing.assert_close(model(x), paper_conv_mixer(model, x, k=3, p=2), rtol=1e-9, atol=1e-9)


def test_relu_variant_and_bad_activation():
    model = tiny(activation="relu")
    assert any(isinstance(m, torch.nn.ReLU) for m in model.modules())
    assert not any(isinstance(m, torch.nn.GELU) for m in model.modules())
    with pytest.raises(ValueError):
        tiny(activation="tanh")


@pytest.mark.parametrize("kernel_size", [1, 2, 3, 4, 5, 6, 7, 8, 9])
@pytest.mark.parametrize("grid", [(5, 6), (7, 7), (1, 3)])
def test_any_kernel_size_keeps_the_shape(kernel_size, grid):
    layer = ConvMixerLayer(4, kernel_size, "gelu")
    x = torch.randn(2, 4, *grid)
    assert layer(x).shape == x.shape


@pytest.mark.parametrize("kernel_size", [2, 3, 4, 5, 7, 8])
def test_one_layer_sees_exactly_a_k_by_k_neighbourhood(kernel_size):
    """
    In eval mode (BatchNorm uses fixed statistics) the output at patch (i, j) depends on input patches
    i - floor((k-1)/2) .. i + ceil((k-1)/2), same for j, and on no others. The gradient of that output with
    respect to the input is non-zero exactly on that k x k window.
    """
    torch.manual_seed(0)
    k = kernel_size
    layer = ConvMixerLayer(3, k, "gelu").double().eval()
    grid = 12
    x = torch.randn(1, 3, grid, grid, dtype=torch.float64, requires_grad=True)
    i, j = 5, 6
    layer(x)[0, :, i, j].sum().backward()
    touched = (x.grad[0].abs() > 0).any(dim=0)  # [grid, grid]

    before, after = (k - 1) // 2, k // 2
    expected = torch.zeros(grid, grid, dtype=torch.bool)
    expected[i - before : i + after + 1, j - before : j + after + 1] = True
    assert int(expected.sum()) == k * k
    assert torch.equal(touched, expected)


def test_first_layer_sees_k_by_k_patches_of_pixels():
    """Patch embedding + one layer: a k x k window of p x p patches, i.e. (k p) x (k p) pixels."""
    torch.manual_seed(0)
    k, p = 3, 2
    model = ConvMixer(dim=4, depth=1, kernel_size=k, patch_size=p, in_channels=1, n_classes=0).double().eval()
    x = torch.randn(1, 1, 16, 16, dtype=torch.float64, requires_grad=True)
    z = model.patch_norm(model.patch_act(model.patch_embedding(x)))
    z = model.layers[0](z)  # [1, 4, 8, 8]
    z[0, :, 3, 4].sum().backward()
    touched = x.grad[0, 0].abs() > 0
    expected = torch.zeros(16, 16, dtype=torch.bool)
    expected[(3 - 1) * p : (3 + 2) * p, (4 - 1) * p : (4 + 2) * p] = True
    assert torch.equal(touched, expected)


def flops(model: torch.nn.Module, x: torch.Tensor) -> int:
    counter = FlopCounterMode(display=False)
    with counter:
        model(x)
    return counter.get_total_flops()


@pytest.mark.parametrize("kernel_size", [3, 4])
def test_flops_exactly_double_when_patches_double(kernel_size):
    """
    Without the head (a constant cost) the counted operations are the stem convolution (one p x p x C_in
    dot product per patch and channel), the depth-wise convolution (k*k per patch and channel, thanks to
    'same' padding) and the point-wise convolution (dim per patch and channel). All are proportional to the
    number of patches; BatchNorm, GELU and pooling are not counted. A 16x32 image has exactly twice the
    patches of a 16x16 one.
    """
    model = tiny(n_classes=0, kernel_size=kernel_size).eval()
    f_small = flops(model, torch.randn(1, 3, 16, 16))
    f_large = flops(model, torch.randn(1, 3, 16, 32))
    assert f_small > 0
    assert f_large == 2 * f_small


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("kernel_size", [2, 3, 4, 9])
def test_padding_is_what_torch_calls_same(kernel_size):
    """Our explicit (asymmetric for even k) padding gives the same convolution as padding='same'."""
    torch.manual_seed(0)
    layer = ConvMixerLayer(3, kernel_size).double()
    x = torch.randn(2, 3, 7, 9, dtype=torch.float64)
    conv = layer.depthwise
    ours = conv(layer.pad(x))
    reference = torch.nn.functional.conv2d(x, conv.weight, conv.bias, padding="same", groups=3)
    torch.testing.assert_close(ours, reference)
