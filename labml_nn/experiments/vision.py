r"""
---
title: Image classification for the vision experiments
summary: Dataset options, loss and entry point shared by the MLP-Mixer, ConvMixer and ViT experiments.
---

# Image classification

The three vision experiments ([MLP-Mixer](../transformers/mlp_mixer/experiment.html),
[ConvMixer](../conv_mixer/experiment.html), [ViT](../transformers/vit/experiment.html))
differ only in their model. This page holds what they share: the dataset options, the classification
loss, and the function that hands everything to the [trainer](trainer.html).

### Label smoothing

`--label-smoothing` $\varepsilon$ trains against the target distribution
$(1 - \varepsilon)\,\mathbb{1}[k = y] + \varepsilon / K$ over $K$ classes instead of the one-hot label
([Szegedy et al., 2016](https://arxiv.org/abs/1512.00567), section 7), which keeps the logits from growing
without bound. DeiT's recipe for training ViT on ImageNet alone uses $\varepsilon = 0.1$, and so do the timm
defaults ConvMixer was trained with. It is off by default: on the digits the models do not overfit enough for
it to help. The validation loss is always the plain cross-entropy, so runs with and without it compare.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import nn

from labml_nn.experiments.config import OptionError, TrainConfig, option
from labml_nn.experiments.data import IMAGE_SIDES, VisionData, load_vision
from labml_nn.experiments.trainer import Dist, Experiment, run


@dataclass
class VisionConfig(TrainConfig):
    """
    Dataset options on top of the [shared settings](config.html#TrainConfig).
    `digits` ships with scikit-learn; `cifar10` is read from `--data-dir`.
    """

    dataset: Literal["digits", "cifar10"] = option("digits", "digits (bundled) or cifar10 (needs --data-dir)")
    data_dir: str | None = option(None, "folder holding cifar-10-batches-py/")
    # Random horizontal flips of training images. Off for digits: a mirrored 2 is not a 2.
    flip: bool = option(False, "randomly flip training images left-right")
    label_smoothing: float = option(0.0, "label smoothing epsilon", low=0, high=1, high_open=True)
    # Side of the square patches; every experiment has one, and it must divide the image side
    patch_size: int = option(1, "patch side", low=1)

    def check(self) -> None:
        super().check()
        side = IMAGE_SIDES[self.dataset]
        if side % self.patch_size:
            raise OptionError(f"--patch-size {self.patch_size}: must divide the side of the {side}x{side} "
                              f"images of --dataset {self.dataset}")


def classification_loss(flip: bool, label_smoothing: float = 0.0) -> Callable:
    """
    The summed cross-entropy, the number of correct predictions and the batch size of a batch of
    `images` `[B, C, H, W]` and `labels` `[B]`. Label smoothing applies in training only.
    """

    def loss(model: nn.Module, batch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        images, labels = batch
        if flip and model.training:
            # Flip a random half of the batch along the width
            mirror = torch.rand(images.shape[0], device=images.device) < 0.5
            images = torch.where(mirror[:, None, None, None], images.flip(-1), images)
        # `logits` is `[B, n_classes]`
        logits = model(images)
        smoothing = label_smoothing if model.training else 0.0
        loss_sum = F.cross_entropy(logits.float(), labels, reduction="sum", label_smoothing=smoothing)
        correct = (logits.argmax(-1) == labels).sum()
        return loss_sum, correct, torch.tensor(labels.shape[0], device=labels.device)

    return loss


def run_vision(config_cls: type, make_model: Callable[[Any, VisionData], nn.Module],
               argv: list[str] | None = None, description: str | None = None, prog: str | None = None):
    """
    Load the dataset, let the experiment build its model for the dataset's image size, channels and
    classes, train, and print the final validation accuracy.
    """

    def build(config: VisionConfig, d: Dist) -> Experiment:
        data = load_vision(config.dataset, config.data_dir)
        model = make_model(config, data)
        return Experiment(model=model, train_set=data.train, val_set=data.val,
                          loss=classification_loss(config.flip, config.label_smoothing))

    config, run_dir, history = run(config_cls, build, argv, description, prog)
    if run_dir is not None:  # rank 0 says how the run ended and where its outputs are
        last = history[-1]
        print(f"final validation accuracy {100 * last['val_accuracy']:.2f}% "
              f"(loss {last['val_loss']:.4f}); outputs in {run_dir}")
    return config, run_dir, history
