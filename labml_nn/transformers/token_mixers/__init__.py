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

($n$ tokens of width $d$, biases left out.) The [experiment](experiment.html) trains all six with the *same*
recipe and about the *same number of parameters*, three seeds each, and reports what they reach:

```bash
python -m labml_nn.transformers.token_mixers.experiment
```

![Accuracy against training throughput](comparison.png)

| model | parameters | FLOPs per image | training images/s | validation accuracy (mean ± std, 3 seeds) |
|---|---|---|---|---|
| MLP-Mixer | 72,714 | 2.63M | 1,297 | 96.84% ± 0.70% |
| ConvMixer | 75,018 | 9.00M | 407 | 99.35% ± 0.32% |
| ViT | 69,194 | 2.39M | 1,649 | 95.91% ± 0.32% |
| gMLP | 78,218 | 2.57M | 1,374 | 98.05% ± 0.48% |
| ResMLP | 78,138 | 2.46M | 1,752 | 94.80% ± 2.50% |
| PoolFormer | 70,154 | 3.77M | 1,560 | 98.51% ± 0.16% |

Every model was trained for 15 epochs with AdamW at a peak learning rate of $3 \cdot 10^{-3}$, batch 64, weight
decay 0.05 and seeds 0, 1 and 2, in `--deterministic` mode (one thread). The per-seed accuracies were 97.49,
96.10, 96.94 (MLP-Mixer); 99.16, 99.16, 99.72 (ConvMixer); 96.10, 96.10, 95.54 (ViT); 97.77, 97.77, 98.61
(gMLP); 96.10, 91.92, 96.38 (ResMLP); 98.61, 98.61, 98.33 (PoolFormer). FLOPs count the multiply-adds of matrix
products and convolutions as PyTorch's `FlopCounterMode` does (two per multiply-add), for one $8 \times 8$
image; normalisation, activations and pooling are left out. The whole run took about 12 minutes of wall time
(training 10.5 of them, ConvMixer alone 6.2) on one thread of a 2-core Intel Xeon virtual machine
(PyTorch 2.13.0, CPU) shared with other jobs (load average about 7), so the throughput column is noisy by tens
of percent.

## What the numbers say, and what they do not

**They say** what this recipe gives at about 75 thousand parameters on 1,797 images of $8 \times 8$ pixels.
The two models that keep every pixel as a token and mix only nearby ones, ConvMixer and PoolFormer, are the
most accurate and the most consistent across seeds; the four that cut the digit into 16 patches of
$2 \times 2$ and mix globally come after them. ConvMixer's lead costs 3.5 times the FLOPs of the patch models
and a quarter of their throughput; PoolFormer, whose second stage works at $4 \times 4$, gets close to it at
1.5 times their FLOPs. gMLP is the best of the patch models, and ResMLP has one bad seed (91.9%) that makes its
spread the largest: its linear cross-patch layer starts small (LayerScale) and 15 epochs is short for it; its
own experiment reaches 97.3% in 25 epochs at a higher learning rate.

**They do not say** which token mixer is better in general. The data is tiny, so locality is a strong prior
here and attention has little to learn from; one shared recipe is no model's best (each model's own experiment
tunes its learning rate and number of epochs, and ViT prefers a lower rate); the models see different numbers
of tokens (64 pixels against 16 patches), so "same parameters" is not "same computation"; and three seeds
resolve differences of about one point, not the tenths between gMLP and PoolFormer. Throughput is one thread on
a shared machine: compare it within the table, not across machines.

For ImageNet the papers' own results are the evidence, each with its own, much longer training recipe
(mostly DeiT's). At about 20 to 30 million parameters the papers report top-1 accuracies of 79.8% for DeiT-S
([DeiT](https://arxiv.org/abs/2012.12877)), 79.6% for gMLP-S, 79.4% for ResMLP-S24, 80.3% for PoolFormer-S24
and 80.2% for ConvMixer-768/32; MLP-Mixer-B/16, trained on ImageNet alone, reaches 76.4% with 59 million
parameters. At that scale and with a strong recipe the mixers end within about one point of each other, which
is the argument of the PoolFormer paper: the architecture around the mixer matters at least as much.

The masked language model compares the sequence mixers on text: attention, MLP-Mixer, [gMLP](../gmlp/index.html)
and [FNet](../fnet/index.html) (`--mixer` of the [MLM experiment](../mlm/experiment.html)).
"""
