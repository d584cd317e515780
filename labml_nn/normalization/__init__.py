r"""
---
title: Normalization layers
summary: Annotated PyTorch implementations of batch normalization and layer normalization.
paper: "1502.03167"
---

# Normalization layers

Normalization layers rescale activations to zero mean and unit variance, then let the network choose a new
scale and shift:

$$\hat{x} = \frac{x - \mathbb{E}[x]}{\sqrt{\operatorname{Var}[x] + \epsilon}},
  \qquad y = \gamma \hat{x} + \beta$$

They differ in *which* values the mean and variance are taken over:

* [Batch normalization](batch_norm/index.html) normalises each channel over the batch (and the spatial
  positions). It is the norm of CNNs such as [ConvMixer](../conv_mixer/index.html). Its statistics depend on
  the other samples in the batch, so it keeps running averages to use at inference.
* [Layer normalization](layer_norm/index.html) normalises each sample over its own features. It does not
  depend on the batch and behaves the same in training and inference, which is why
  [Transformers](../transformers/index.html) and [MLP-Mixer](../transformers/mlp_mixer/index.html) use it.

The models on this site call PyTorch's own `nn.BatchNorm2d` and `nn.LayerNorm`, which are fast; the classes
on these pages are written to be read, and the tests check that they compute the same as PyTorch's.
"""
