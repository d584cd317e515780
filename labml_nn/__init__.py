r"""
---
title: Annotated PyTorch paper implementations
summary: Readable, heavily annotated PyTorch implementations of deep learning papers.
---

# Annotated PyTorch paper implementations

This site is a collection of small, self-contained PyTorch implementations of deep learning papers.
Each implementation is one Python file written to be *read*: it follows the paper step by step,
uses the paper's notation, and says what shape every tensor has.

## How to read a page

Every page is a source file cut into rows.
In each row the **notes are on the left** and the **code they explain is on the right**.
Read from top to bottom, like a paper with its implementation printed beside it:

* The page opens with the paper's idea, the equations that matter and a link to the paper on arXiv.
* Classes and functions carry a note describing what they compute;
  the lines inside them are explained where they happen.
* Comments at the end of a code line give tensor shapes, such as `[batch, n_patches, d_model]`.
  All tensors are *batch-first*.
* Math is written as in the paper: inline like $x \in \mathbb{R}^{S \times C}$, or displayed like
  $$\operatorname{softmax}\Big(\frac{Q K^\top}{\sqrt{d_k}}\Big) V.$$

Pages link to each other where one implementation builds on another: the
[Vision Transformer](transformers/vit/index.html) and the
[masked language model](transformers/mlm/index.html) use the shared
[transformer parts](transformers/index.html), while [MLP-Mixer](transformers/mlp_mixer/index.html)
and [ConvMixer](conv_mixer/index.html) replace attention with plain MLPs and convolutions.
The vision models and the masked language model each have an experiment page that trains them on data
shipped with the install, on a CPU, in a few minutes at most.

The full list of implementations follows.
"""
