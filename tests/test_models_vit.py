"""The Vision Transformer (arXiv 2010.11929) and the properties the MLP-Mixer paper contrasts it with.

Mutations these tests are meant to catch (each was applied to the code once, by hand, and made a test fail):

* the head reads the mean of all tokens instead of the class token            (test_forward_is_equations_1_to_4)
* the class token is left out of the sequence                                  (test_forward_is_equations_1_to_4)
* position embeddings are not added                                            (test_forward_is_equations_1_to_4,
                                                                                test_with_position_embeddings_...)
* post-norm instead of pre-norm (LayerNorm after the residual sum)             (test_forward_is_equations_1_to_4)
* a residual connection removed (attention or MLP)                             (test_forward_is_equations_1_to_4)
* the final LayerNorm of equation 4 skipped                                    (test_forward_is_equations_1_to_4)
* the encoder skipped                                                          (test_forward_is_equations_1_to_4)
* the class token or the position embeddings decayed by AdamW                  (test_weight_decay_follows_...)
"""

import torch
from model_helpers import randomize, shuffle_patches
from paper_equations import linear, pre_norm_encoder
from torch.utils.flop_counter import FlopCounterMode

from labml_nn.experiments.trainer import make_optimizer
from labml_nn.transformers.embeddings import image_to_patches
from labml_nn.transformers.vit import VisionTransformer


def tiny(image_size=16, use_position_embeddings=True, n_classes=5, d_model=16, **kwargs) -> VisionTransformer:
    return VisionTransformer(image_size=image_size, patch_size=4, in_channels=3, n_classes=n_classes,
                             d_model=d_model, n_layers=2, n_heads=2, d_ff=32,
                             use_position_embeddings=use_position_embeddings, **kwargs)


def test_forward_shape_and_parts():
    model = tiny()
    assert model(torch.randn(2, 3, 16, 16)).shape == (2, 5)
    assert tiny(n_classes=0)(torch.randn(2, 3, 16, 16)).shape == (2, 16)
    # Class token and N + 1 position embeddings
    assert model.cls_token.shape == (1, 1, 16)
    assert model.position_embeddings.shape == (1, 16 + 1, 16)
    assert tiny(use_position_embeddings=False).position_embeddings is None


def paper_vit(model: VisionTransformer, x: torch.Tensor) -> torch.Tensor:
    """Equations 1 to 4 of the paper, written out with functional operations and the model's weights."""
    # Equation 1: z_0 = [x_class; x_p^1 E; ...; x_p^N E] + E_pos
    patches = linear(image_to_patches(x, 4), model.patch_embedding.projection)
    z = torch.cat([model.cls_token.expand(x.shape[0], -1, -1), patches], dim=1) + model.position_embeddings
    # Equations 2 and 3 for every layer, and the final LN of equation 4
    z = pre_norm_encoder(model.encoder, z)
    # Equation 4: y = LN(z_L^0), the class token's output, then the linear head
    return linear(z[:, 0], model.head)


def test_forward_is_equations_1_to_4():
    torch.manual_seed(0)
    model = tiny().double().eval()
    randomize(model)
    x = torch.randn(3, 3, 16, 16, dtype=torch.float64)
    torch.testing.assert_close(model(x), paper_vit(model, x), rtol=1e-9, atol=1e-9)


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


def test_weight_decay_follows_the_layer_not_the_shape():
    """The class token and position embeddings are 3-D but are not a layer's weight: not decayed."""
    model = tiny()
    optimizer = make_optimizer(model, lr=1e-3, weight_decay=0.05)
    decayed = {id(p) for g in optimizer.param_groups if g["weight_decay"] > 0 for p in g["params"]}
    names = {name for name, p in model.named_parameters() if id(p) in decayed}
    assert "cls_token" not in names and "position_embeddings" not in names
    assert "patch_embedding.projection.weight" in names and "head.weight" in names
    assert "encoder.layers.0.self_attn.query.weight" in names
    assert not any(name.endswith("bias") or "norm" in name for name in names)


def test_stochastic_depth_only_in_training():
    torch.manual_seed(0)
    model = tiny(drop_path=0.5).eval()
    randomize(model)
    x = torch.randn(4, 3, 16, 16)
    # Evaluation uses every branch: the same as the model without stochastic depth
    plain = tiny()
    plain.load_state_dict(model.state_dict())
    torch.testing.assert_close(model(x), plain.eval()(x))
    # Training drops branches at random, per sample; the last layer's rate is drop_path
    assert [layer.drop_path.p for layer in model.encoder.layers] == [0.25, 0.5]
    model.train()
    assert not torch.allclose(model(x), model(x))


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
