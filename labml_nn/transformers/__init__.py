r"""
---
title: Transformers
summary: The parts of a Transformer encoder, annotated, and the models on this site built from them.
paper: "1706.03762"
---

# Transformers

The Transformer of [Attention Is All You Need](https://arxiv.org/abs/1706.03762) maps a sequence
$x_1, \dots, x_S \in \mathbb{R}^{d_{model}}$ to another sequence of the same shape with a stack of layers.
Each layer alternates two kinds of mixing:

* **between positions**, with [multi-head self-attention](mha.html): every position takes a weighted average
  of all positions, with weights $\operatorname{softmax}(Q K^\top / \sqrt{d_k})$ computed from the data;
* **within a position**, with a [position-wise feed-forward network](feed_forward.html): the same two-layer
  MLP applied to each vector.

The parts, one page each:

* [Multi-head attention](mha.html#MultiHeadAttention)
* [Position-wise feed-forward network](feed_forward.html#FeedForward)
* [The pre-norm encoder layer and the encoder stack](models.html#TransformerLayer)
* [Token, position and patch embeddings](embeddings.html)

and the models built from them:

* [Vision Transformer (ViT)](vit/index.html): an image becomes a sequence of patch embeddings plus a class
  token, and a plain encoder classifies it.
* [MLP-Mixer](mlp_mixer/index.html): the same layout with attention replaced by an MLP across
  patches, whose weights depend on the position rather than on the data.
* [gMLP](gmlp/index.html): an MLP whose hidden layer is gated by a linear map across the tokens.
* [ResMLP](resmlp/index.html): one linear layer across patches, with Affine transformations in place of
  LayerNorm.
* [PoolFormer](poolformer/index.html): average pooling as the token mixer, in four stages like a CNN.
* [FNet](fnet/index.html): a Fourier transform with no parameters in place of attention.
* [Masked language modelling](mlm/index.html): BERT's pre-training task, with attention, the Mixer's
  token-mixing MLP, gMLP or FNet.
* [Token mixers compared](token_mixers/index.html): every vision model of the site trained with one recipe at
  one parameter budget.

The layers here are *pre-norm*: the [LayerNorm](../normalization/layer_norm/index.html) sits in front of each
sub-layer, inside the residual branch.
"""
