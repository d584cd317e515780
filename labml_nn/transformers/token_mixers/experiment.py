r"""
---
title: Token mixers compared, the experiment
summary: Train every vision model of the site with one recipe and one parameter budget, three seeds each, and tabulate.
---

# Token mixers compared: the experiment

This trains every vision model of the site, each with the same recipe and about the same number of
parameters, on the bundled digits (or CIFAR-10 with `--dataset cifar10 --data-dir PATH`), and writes a results
table and a plot. The results and what they mean are on the [comparison page](index.html).

```bash
python -m labml_nn.transformers.token_mixers.experiment            # 6 models x 3 seeds
python -m labml_nn.transformers.token_mixers.experiment --quick    # a smoke test, under a minute
```

Each model is trained by its own experiment (its `main`), so the comparison uses exactly the code of the
model's page; only the sizes below and the shared recipe are set here. The outputs go to
`runs/token_mixers/<timestamp>/`: `results.md`, `results.json` and `comparison.png`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import sys
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from labml_nn.experiments.config import parse_overrides
from labml_nn.experiments.data import load_vision
from labml_nn.experiments.trainer import atomic_write, new_run_dir

# ## The models and their sizes
#
# Module of each experiment and the options that size it to about 70 to 80 thousand parameters on the
# digits. The isotropic models, ConvMixer included, use $2 \times 2$ patches ($16$ tokens); PoolFormer's
# first stage works on every pixel and its second on $2 \times 2$ cells, as its digit experiment does.
# (ConvMixer's own experiment works on every pixel; here that would cost four times the FLOPs of the
# other models at the same parameters, and most of the run's time.)
MODELS: dict[str, tuple[str, list[str]]] = {
    "MLP-Mixer": ("labml_nn.transformers.mlp_mixer.experiment", []),
    "ConvMixer": ("labml_nn.conv_mixer.experiment", ["--dim", "128", "--depth", "4", "--patch-size", "2"]),
    "ViT": ("labml_nn.transformers.vit.experiment", ["--n-layers", "2"]),
    "gMLP": ("labml_nn.transformers.gmlp.experiment", []),
    "ResMLP": ("labml_nn.transformers.resmlp.experiment", []),
    "PoolFormer": ("labml_nn.transformers.poolformer.experiment", []),
}

# On CIFAR-10's $32 \times 32$ images every model starts from $4 \times 4$ patches, an $8 \times 8$ grid of
# tokens (PoolFormer's stem is the paper's: $7 \times 7$ with stride 4). The token-mixing weights of
# MLP-Mixer, gMLP and ResMLP grow with the number of tokens, so gMLP and ResMLP are made a little narrower to
# stay within the budget: about 70 to 90 thousand parameters.
CIFAR10_SIZES: dict[str, list[str]] = {
    "MLP-Mixer": ["--patch-size", "4"],
    "ConvMixer": ["--dim", "128", "--depth", "4", "--patch-size", "4"],
    "ViT": ["--n-layers", "2", "--patch-size", "4"],
    "gMLP": ["--patch-size", "4", "--d-ffn", "160"],
    "ResMLP": ["--patch-size", "4", "--d-model", "44"],
    "PoolFormer": ["--patch-size", "4", "--stem-kernel", "7"],
}


def sizes_for(name: str, dataset: str) -> list[str]:
    """The options that size model `name` for `dataset`."""
    return CIFAR10_SIZES[name] if dataset == "cifar10" else MODELS[name][1]


# ## The shared recipe
#
# AdamW with the trainer's warm-up and cosine schedule, the same epochs, batch size, peak learning rate and
# weight decay for every model, one thread and deterministic kernels. It is not any model's best recipe:
# each model's own experiment tunes its learning rate and epochs, and ViT's prefers a lower rate.
RECIPE = ["--epochs", "15", "--batch-size", "64", "--lr", "3e-3", "--weight-decay", "0.05",
          "--deterministic", "--no-progress"]
QUICK = ["--epochs", "2", "--limit", "256"]


def size(module, args: list[str], dataset: str, data_dir: str | None) -> tuple[int, int]:
    """Parameters and forward FLOPs of one image (matrix products and convolutions, as counted by PyTorch)."""
    config = module.Config(**parse_overrides(module.Config, args + ["--dataset", dataset]
                                             + (["--data-dir", data_dir] if data_dir else [])))
    data = load_vision(dataset, data_dir)
    model = module.make_model(config, data).eval()
    image = data.train[0][0].unsqueeze(0)
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(image)
    return sum(p.numel() for p in model.parameters()), counter.get_total_flops()


def mean_std(values: list[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for one value)."""
    return statistics.mean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def write_plot(path: Path, rows: list[dict]):
    """Accuracy (mean, with the standard deviation as an error bar) against training throughput."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 3.6), dpi=90)
    for row in rows:
        ax.errorbar(row["throughput"], 100 * row["acc_mean"], yerr=100 * row["acc_std"], fmt="o", capsize=3)
        ax.annotate(f"{row['model']} ({row['params'] / 1e3:.0f}k)", (row["throughput"], 100 * row["acc_mean"]),
                    textcoords="offset points", xytext=(5, 5), fontsize=8)
    ax.set(xscale="log", xlabel="training images per second (one thread, log scale)",
           ylabel="validation accuracy (%)", title="Token mixers at a matched parameter budget")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)


def table(rows: list[dict], n_seeds: int) -> str:
    """The results as a markdown table."""
    lines = ["| model | parameters | FLOPs per image | training images/s | "
             f"validation accuracy (mean ± std, {n_seeds} seeds) |",
             "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['params']:,} | {r['flops'] / 1e6:.2f}M | {r['throughput']:,.0f} | "
                     f"{100 * r['acc_mean']:.2f}% ± {100 * r['acc_std']:.2f}% |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> list[dict]:
    """Train every model with every seed; print and write the table and the plot."""
    parser = argparse.ArgumentParser(prog="python -m labml_nn.transformers.token_mixers.experiment",
                                     description="Train every vision model with one recipe and compare.")
    parser.add_argument("--quick", action="store_true", help="2 epochs on 256 images, one seed (a smoke test)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 per model (default: 3)")
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated subset of the models")
    parser.add_argument("--dataset", choices=["digits", "cifar10"], default="digits")
    parser.add_argument("--data-dir", default=None, help="folder holding cifar-10-batches-py/")
    parser.add_argument("--runs-dir", default="runs", help="where run directories are created")
    args = parser.parse_args(argv)
    names = args.models.split(",")
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    seeds = 1 if args.quick else args.seeds
    out = new_run_dir(args.runs_dir, "token_mixers")
    data_args = ["--dataset", args.dataset] + (["--data-dir", args.data_dir] if args.data_dir else [])
    rows = []
    for name in names:
        module = importlib.import_module(MODELS[name][0])
        sizes = sizes_for(name, args.dataset)
        params, flops = size(module, sizes, args.dataset, args.data_dir)
        accuracies, throughputs, seconds = [], [], []
        for seed in range(seeds):
            start = time.perf_counter()
            history = module.main(RECIPE + (QUICK if args.quick else []) + sizes + data_args +
                                  ["--seed", str(seed), "--runs-dir", str(out / "runs")])
            seconds.append(time.perf_counter() - start)
            accuracies.append(history[-1]["val_accuracy"])
            throughputs.append(statistics.median(row["train_images_per_s"] for row in history))
        acc_mean, acc_std = mean_std(accuracies)
        rows.append({"model": name, "params": params, "flops": flops, "throughput": statistics.median(throughputs),
                     "acc_mean": acc_mean, "acc_std": acc_std, "accuracies": accuracies, "seconds": seconds})
        print(f"{name}: {100 * acc_mean:.2f}% ± {100 * acc_std:.2f}%", flush=True)
    text = table(rows, seeds)
    atomic_write(out / "results.md", lambda f: f.write(text))
    atomic_write(out / "results.json", lambda f: f.write(json.dumps(
        {"argv": sys.argv if argv is None else argv, "recipe": RECIPE, "rows": rows}, indent=1)))
    write_plot(out / "comparison.png", rows)
    print(text + f"outputs in {out}")
    return rows


#
if __name__ == "__main__":
    main()
