"""
---
title: Transformers
summary: >
 This is a collection of PyTorch implementations/tutorials of
 transformers and related techniques.
---

# [Transformers](index.html)

This module contains [PyTorch](https://pytorch.org/)
implementations and explanations of original transformer
from paper [Attention Is All You Need](https://arxiv.org/abs/1706.03762),
and derivatives and enhancements of it.

* [Multi-head attention](mha.html)
* [Proximal Policy Optimization](../rl/ppo/)
"""
