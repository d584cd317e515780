r"""
---
title: Token mixers compared
summary: MLP-Mixer, ConvMixer, ViT, gMLP, ResMLP and PoolFormer trained with one recipe at one parameter budget.
---

# Token mixers compared

Every vision model of this site has the same outline: cut the image into tokens, then alternate a
*token mixer*, which lets tokens exchange information, with a per-token MLP, each inside a residual
connection. They differ in the mixer:

| model | token mixer | parameters of the mixer | depends on the data? |
|---|---|---|---|
| [ViT](../vit/index.html) | multi-head self-attention | $4 d^2$ | yes: weights are computed from the tokens |
| [MLP-Mixer](../mlp_mixer/index.html) | two-layer MLP across tokens | $2 n D_S$ | no |
| [gMLP](../gmlp/index.html) | linear map across tokens, gating the channel MLP | $n^2$ | multiplicatively |
| [ResMLP](../resmlp/index.html) | one linear map across tokens | $n^2$ | no |
| [ConvMixer](../../conv_mixer/index.html) | depth-wise convolution | $k^2 d$ | no |
| [PoolFormer](../poolformer/index.html) | average pooling minus the input | none | no |

($n$ tokens of width $d$, biases left out.)

![The shared block (Norm, token mixer, Norm, channel MLP, skips) and each model's token mixer](token_mixers.svg)

*One block, seven token mixers. Every model here, and FNet on text, alternates a token mixer with a per-token
MLP, each inside a residual connection; the list on the right says what the mixer is in each model, and where
a model bends the shared block.*

The [experiment](experiment.html) trains all six vision models with the *same* recipe and about the *same
number of parameters*, three seeds each, and reports what they reach:

```bash
python -m labml_nn.transformers.token_mixers.experiment
```

![Accuracy against training throughput](comparison.png)

| model | parameters | FLOPs per image | images/s, this run | images/s, alone | accuracy (mean ± std, 3 seeds) |
|---|---|---|---|---|---|
| MLP-Mixer | 72,714 | 2.63M | 1,650 | 3,040 | 96.84% ± 0.70% |
| ConvMixer | 75,402 | 2.26M | 309 | 1,828 | 99.07% ± 0.16% |
| ViT | 69,194 | 2.39M | 529 | 4,068 | 95.91% ± 0.32% |
| gMLP | 78,218 | 2.57M | 1,370 | 3,007 | 98.05% ± 0.48% |
| ResMLP | 78,138 | 2.46M | 369 | 3,496 | 94.80% ± 2.50% |
| PoolFormer | 70,154 | 3.77M | 389 | 1,624 | 98.51% ± 0.16% |

Every model was trained for 15 epochs with AdamW at a peak learning rate of $3 \cdot 10^{-3}$, batch 64, weight
decay 0.05 and seeds 0, 1 and 2, in `--deterministic` mode (one thread). The per-seed accuracies were 97.49,
96.10, 96.94 (MLP-Mixer); 99.16, 99.16, 98.89 (ConvMixer); 96.10, 96.10, 95.54 (ViT); 97.77, 97.77, 98.61
(gMLP); 96.10, 91.92, 96.38 (ResMLP); 98.61, 98.61, 98.33 (PoolFormer). FLOPs count the multiply-adds of matrix
products and convolutions as PyTorch's `FlopCounterMode` does (two per multiply-add), for one $8 \times 8$
image; normalisation, activations and pooling are left out.

The run used 4.1 minutes of CPU time (one thread) on a 2-core Intel Xeon virtual machine (PyTorch 2.13.0, CPU),
but 17 minutes of wall time, because other jobs kept both cores busy (load average about 11). Alone, one seed
of all six models takes about 65 seconds, so the default run takes about 3.5 minutes, and `--quick` well under
one. The contention also distorted the throughput of that run by up to a factor of ten, so the table adds a
second column, *alone*: the median over the epochs of seed 0 of each model, run by itself on the quiet
machine with `--seeds 1 --models NAME` (it reached the same accuracies, as `--deterministic` runs do). The plot
above was drawn with that column; the script plots the throughput of its own run. Compare throughput within
the table, not across machines.

## What the numbers say, and what they do not

**They say** what this recipe gives at about 75 thousand parameters on 1,797 images of $8 \times 8$ pixels.
ConvMixer and PoolFormer, the two models that mix only neighbouring tokens, are the most accurate and the most
consistent across seeds. ConvMixer does it on the same 16 patches of $2 \times 2$ pixels as the four global
mixers and with the fewest FLOPs, though not the fastest: its depth-wise convolutions and BatchNorms on
$4 \times 4$ maps run at about half the speed of the patch MLPs on one CPU thread. PoolFormer's first stage keeps
every pixel as a token, which costs it 1.5 times the FLOPs of the others. gMLP is the best of the global
mixers, and ResMLP has one bad seed (91.9%) that makes its spread the largest: its linear cross-patch layer
starts small (LayerScale) and 15 epochs is short for it; its own experiment reaches 97.3% in 25 epochs at a
higher learning rate.

**They do not say** which token mixer is better in general. The data is tiny, so locality is a strong prior
here and attention has little to learn from; one shared recipe is no model's best (each model's own experiment
tunes its learning rate and number of epochs, and ViT prefers a lower rate); PoolFormer sees 64 pixels where the
others see 16 patches, so "same parameters" is not "same computation"; and three seeds resolve differences of
about one point, not the tenths between ConvMixer and PoolFormer.

**CIFAR-10.** `--dataset cifar10 --data-dir PATH` runs the same comparison on CIFAR-10 in its python-pickle
layout, with every model resized for $32 \times 32$ images (the experiment lists the sizes: about 70 to 90
thousand parameters). It has not been run for this page: the machine that made the table has no copy of
CIFAR-10 and no network, so the only CIFAR-10 runs were the tests', on a few fabricated images in that layout.
There are no CIFAR-10 numbers here.

For ImageNet the papers' own results are the evidence, each with its own, much longer training recipe. Their
abstracts say: gMLP reaches the accuracy of Vision Transformers without attention
([gMLP](https://arxiv.org/abs/2105.08050)); a PoolFormer reaches 82.1% top-1 on ImageNet-1K, 0.3 and 1.1 points
above DeiT-B and ResMLP-B24 with 35% and 52% fewer parameters ([PoolFormer](https://arxiv.org/abs/2111.11418));
and ConvMixer outperforms ViT, MLP-Mixer and some of their variants at similar parameter counts and data set
sizes ([ConvMixer](https://arxiv.org/abs/2201.09792)). The per-model accuracies in the papers' tables were not
checked for this page, so they are not repeated here. That a mixer with no parameters at all can compete with
attention and the MLPs is the argument of the PoolFormer paper: the architecture around the mixer matters at
least as much as the mixer.

The masked language model compares the sequence mixers on text, at one parameter budget too: attention,
MLP-Mixer, [gMLP](../gmlp/index.html) and [FNet](../fnet/index.html) (`--mixer` of the
[MLM experiment](../mlm/experiment.html), whose page has the table).
"""
