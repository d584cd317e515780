r"""
---
title: Runnable experiments
summary: Every implementation on this site trains with one command, offline, on a CPU in minutes.
---

# Runnable experiments

Reading an implementation is half of understanding it; the other half is watching it learn.
Every experiment on this site is one command that needs no download and no GPU:

| experiment | `python -m ...` |
|---|---|
| [MLP-Mixer](../transformers/mlp_mixer/experiment.html) | `labml_nn.transformers.mlp_mixer.experiment` |
| [ConvMixer](../conv_mixer/experiment.html) | `labml_nn.conv_mixer.experiment` |
| [Vision Transformer](../transformers/vit/experiment.html) | `labml_nn.transformers.vit.experiment` |
| [gMLP](../transformers/gmlp/experiment.html) | `labml_nn.transformers.gmlp.experiment` |
| [ResMLP](../transformers/resmlp/experiment.html) | `labml_nn.transformers.resmlp.experiment` |
| [PoolFormer](../transformers/poolformer/experiment.html) | `labml_nn.transformers.poolformer.experiment` |
| [Token mixers](../transformers/token_mixers/experiment.html) | `labml_nn.transformers.token_mixers.experiment` |
| [Masked language model](../transformers/mlm/experiment.html) | `labml_nn.transformers.mlm.experiment` |

Each finishes in a few minutes or less on a CPU (its page gives the time it took, and on which machine),
shows a progress bar with the throughput, and writes its
configuration, metrics (JSON lines and CSV), a plot of loss and accuracy and a checkpoint to
`runs/<experiment>/<timestamp>/`. When a GPU is present it is used.

The same commands scale up: `--dataset cifar10 --data-dir PATH` trains the vision models on CIFAR-10,
`--text-file PATH` trains the language model on any text, and
`torchrun --nproc_per_node=N -m labml_nn.conv_mixer.experiment` trains on $N$ GPUs (or CPU processes)
with PyTorch's `DistributedDataParallel`.

This package is the machinery they share, small enough to read in one sitting:

* [config](config.html): a dataclass per experiment, and command-line options generated from its fields;
* [data](data.html): the bundled digits, CIFAR-10 from its pickle files, and byte-level text;
* [trainer](trainer.html): the training loop with metrics, plots, checkpoints, resume and `torchrun`;
* [vision](vision.html): the loss and options shared by the image classifiers.
"""
