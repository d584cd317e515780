"""Helpers shared by the model tests."""

from __future__ import annotations

import torch

from labml_nn.transformers.embeddings import image_to_patches, patches_to_image


def randomize(model: torch.nn.Module) -> None:
    """Give every parameter random values (heads are zero-initialised, LayerScale starts tiny), so that the
    output depends on every part of the model."""
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.5)


def shuffle_patches(images: torch.Tensor, perm: torch.Tensor, patch_size: int) -> torch.Tensor:
    """The images with their patches reordered: patch j of the result is patch perm[j] of the input."""
    patches = image_to_patches(images, patch_size)
    return patches_to_image(patches[:, perm], patch_size, images.shape[2], images.shape[3])
