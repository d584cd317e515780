"""The Vision Transformer (arXiv 2010.11929) and the properties the MLP-Mixer paper contrasts it with."""

import torch
from torch.utils.flop_counter import FlopCounterMode

from labml_nn.transformers.embeddings import image_to_patches, patches_to_image
from labml_nn.transformers.vit import VisionTransformer


def tiny(image_size=16, use_position_embeddings=True, n_classes=5, d_model=16) -> VisionTransformer:
    return VisionTransformer(image_size=image_size, patch_size=4, in_channels=3, n_classes=n_classes,
                             d_model=d_model, n_layers=2, n_heads=2, d_ff=32,
                             use_position_embeddings=use_position_embeddings)


def randomize(model: torch.nn.Module):
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.5)


def shuffle_patches(images: torch.Tensor, perm: torch.Tensor, patch_size: int) -> torch.Tensor:
    patches = image_to_patches(images, patch_size)
    return patches_to_image(patches[:, perm], patch_size, images.shape[2], images.shape[3])


def test_forward_shape_and_parts():
    model = tiny()
    assert model(torch.randn(2, 3, 16, 16)).shape == (2, 5)
    assert tiny(n_classes=0)(torch.randn(2, 3, 16, 16)).shape == (2, 16)
    # Class token and N + 1 position embeddings
    assert model.cls_token.shape == (1, 1, 16)
    assert model.position_embeddings.shape == (1, 16 + 1, 16)
    assert tiny(use_position_embeddings=False).position_embeddings is None


def test_without_position_embeddings_patch_order_does_not_matter():
    torch.manual_seed(0)
    model = tiny(use_position_embeddings=False).double().eval()
    randomize(model)
    x = torch.randn(3, 3, 16, 16, dtype=torch.float64)
    perm = torch.randperm(16)
    torch.testing.assert_close(model(shuffle_patches(x, perm, 4)), model(x), rtol=1e-10, atol=1e-10)


def test_with_position_embeddings_patch_order_matters():
    torch.manual_seed(0)
    model = tiny(use_position_embeddings=True).double().eval()
    randomize(model)
    x = torch.randn(3, 3, 16, 16, dtype=torch.float64)
    perm = torch.randperm(16)
    assert not torch.allclose(model(shuffle_patches(x, perm, 4)), model(x), rtol=1e-3, atol=1e-3)


def flops(model: torch.nn.Module, x: torch.Tensor) -> int:
    counter = FlopCounterMode(display=False)
    with counter:
        model(x)
    return counter.get_total_flops()


def test_flops_grow_faster_than_the_number_of_patches():
    """
    Attention multiplies an (N+1) x (N+1) matrix, so its cost is quadratic in N. With a narrow model and
    many patches it dominates: doubling the patches (64 -> 128) more than doubles the total.
    """
    small = tiny(image_size=(32, 32), n_classes=0, d_model=8)
    large = tiny(image_size=(32, 64), n_classes=0, d_model=8)
    f_small = flops(small, torch.randn(1, 3, 32, 32))
    f_large = flops(large, torch.randn(1, 3, 32, 64))
    assert f_large > 2.5 * f_small
