r"""
---
title: Token mixers compared, the experiment
summary: Train every vision model, or every sequence mixer of the masked language model, with one recipe and budget.
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

`--task mlm` runs the same comparison on text, for the four sequence mixers of the
[masked language model](../mlm/experiment.html): attention, MLP-Mixer, gMLP and FNet.
`--task mlm --from-runs DIR` tabulates and plots MLM runs that already finished, without training again:

```bash
python -m labml_nn.transformers.token_mixers.experiment --task mlm            # 4 mixers x 3 seeds, 2-4 CPU min a run
python -m labml_nn.transformers.token_mixers.experiment --task mlm --quick    # a smoke test
python -m labml_nn.transformers.token_mixers.experiment --task mlm --from-runs runs/mlm
```
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import statistics
import sys
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from labml_nn.experiments.config import parse_overrides
from labml_nn.experiments.data import ByteTokenizer, load_vision
from labml_nn.experiments.trainer import atomic_write, new_run_dir
from labml_nn.transformers.mlm import MaskedLanguageModel
from labml_nn.transformers.mlm import experiment as mlm_experiment
from labml_nn.transformers.mlm.experiment import MATCHED_D_FF

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
CIFAR10_SIZES: dict[str, list[str]] = {  # after the digits' options, which these override
    "MLP-Mixer": ["--patch-size", "4"],
    "ConvMixer": ["--patch-size", "4"],
    "ViT": ["--patch-size", "4"],
    "gMLP": ["--patch-size", "4", "--d-ffn", "160"],
    "ResMLP": ["--patch-size", "4", "--d-model", "44"],
    "PoolFormer": ["--patch-size", "4", "--stem-kernel", "7"],
}


def sizes_for(name: str, dataset: str) -> list[str]:
    """The options that size model `name` for `dataset` (a later option wins)."""
    return MODELS[name][1] + (CIFAR10_SIZES[name] if dataset == "cifar10" else [])


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
    atomic_write(path, lambda f: fig.savefig(f, format="png"), binary=True)
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


# ## The same comparison on text
#
# `--task mlm` trains the [masked language model](../mlm/experiment.html) once per mixer and seed, through
# its own `main`, with its defaults as the recipe (12 epochs on this repository's notes) and the `--d-ff`
# of `MATCHED_D_FF`, which gives every mixer about 336 thousand parameters. The table and the plot are
# then made from the runs' files, so `--from-runs` can make them from runs that finished earlier.
MLM_RECIPE = ["--deterministic", "--no-progress"]
MLM_QUICK = ["--epochs", "1", "--limit", "256"]


def mlm_params(config: dict) -> int:
    """Parameters of the model a run's `config.json` describes, built on the meta device (no memory, no data)."""
    with torch.device("meta"):
        model = MaskedLanguageModel(vocab_size=ByteTokenizer.vocab_size, seq_len=config["seq_len"],
                                    d_model=config["d_model"], n_layers=config["n_layers"],
                                    n_heads=config["n_heads"], d_ff=config["d_ff"], mixer=config["mixer"])
    return sum(p.numel() for p in model.parameters())


def read_mlm_runs(root: Path) -> list[dict]:
    """
    Every finished MLM run in the folders under `root`: its `config.json` and the metrics of each epoch
    (`metrics.jsonl`). A run stopped before its last epoch is left out, so every mean is over complete runs.
    """
    runs = []
    for path in sorted(root.rglob("metrics.jsonl")):
        config = json.loads((path.parent / "config.json").read_text(encoding="utf-8"))
        if "mixer" not in config:  # (another experiment's run)
            continue
        history = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        if len(history) < config["epochs"]:
            print(f"{path.parent}: left out, it stopped after {len(history)} of {config['epochs']} epochs")
            continue
        runs.append({"config": config, "history": history})
    return runs


# Options that only say where or how a run ran: runs that differ in these alone are seeds of one setting
_RUN_ONLY = {"seed", "runs_dir", "resume", "init_from", "progress", "device", "workers"}


def _setting(config: dict) -> dict:
    return {k: v for k, v in config.items() if k not in _RUN_ONLY}


def mlm_rows(runs: list[dict]) -> list[dict]:
    """
    One row per mixer (and `d_ff`), in the order of `MATCHED_D_FF`: the last epoch's validation loss and
    masked-byte accuracy, mean and standard deviation over the seeds, and the mean and standard deviation of
    the validation loss after every epoch, for the plot. The runs of one mixer must share every setting but
    the seed, and all runs the text and window (the baselines): anything else is refused, naming the options.
    """
    groups: dict[tuple[str, int], list[dict]] = {}
    for r in runs:
        groups.setdefault((r["config"]["mixer"], r["config"]["d_ff"]), []).append(r)
    for (mixer, _), group in groups.items():
        _refuse_mixed(f"the runs of {mixer}", [r["config"] for r in group], set(_setting(group[0]["config"])))
    _refuse_mixed("the mixers' runs", [r["config"] for r in runs], {"text_file", "seq_len", "val_fraction", "limit"})
    rows = []
    for (mixer, d_ff), group in sorted(groups.items(), key=lambda g: (list(MATCHED_D_FF).index(g[0][0]), g[0][1])):
        group.sort(key=lambda r: r["config"]["seed"])
        last = [r["history"][-1] for r in group]
        loss_mean, loss_std = mean_std([h["val_loss"] for h in last])
        acc_mean, acc_std = mean_std([h["val_accuracy"] for h in last])
        # `[epochs, seeds]`: the validation loss of every seed after each epoch
        per_epoch = list(zip(*([h["val_loss"] for h in r["history"]] for r in group), strict=True))
        rows.append({"mixer": mixer, "d_ff": d_ff, "params": mlm_params(group[0]["config"]),
                     "seeds": [r["config"]["seed"] for r in group],
                     "losses": [h["val_loss"] for h in last], "accuracies": [h["val_accuracy"] for h in last],
                     "loss_mean": loss_mean, "loss_std": loss_std, "acc_mean": acc_mean, "acc_std": acc_std,
                     "curve": [mean_std(list(epoch)) for epoch in per_epoch],
                     # The last epoch's throughput, the median over the seeds: a rough guide on a shared machine
                     "tokens_per_s": statistics.median(h["train_tokens_per_s"] for h in last),
                     "unigram_loss": last[0]["unigram_loss"], "context_free_loss": last[0]["context_free_loss"]})
    return rows


def _refuse_mixed(what: str, configs: list[dict], keys: set[str]) -> None:
    differ = sorted(k for k in keys if len({json.dumps(c.get(k)) for c in configs}) > 1)
    if differ:
        values = "; ".join(f"--{k.replace('_', '-')}: {', '.join(sorted({json.dumps(c.get(k)) for c in configs}))}"
                           for k in differ)
        raise SystemExit(f"{what} differ in {values}. Point --from-runs at a folder holding one setting "
                         "(several seeds of it) per mixer.")


def mlm_table(rows: list[dict]) -> str:
    """The text results as a markdown table, with the two baselines after it."""
    n_seeds = "/".join(sorted({str(len(r["seeds"])) for r in rows}))
    seeds = "seed" if n_seeds == "1" else "seeds"
    lines = [f"| `--mixer` | `--d-ff` | parameters | validation loss (mean ± std, {n_seeds} {seeds}) | "
             "masked bytes predicted exactly | tokens/s |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| `{r['mixer']}` | {r['d_ff']} | {r['params']:,} | {r['loss_mean']:.3f} ± {r['loss_std']:.3f} | "
                     f"{100 * r['acc_mean']:.1f}% ± {100 * r['acc_std']:.1f}% | {r['tokens_per_s']:,.0f} |")
    return "\n".join(lines) + (f"\n\nBaselines: context-free {rows[0]['context_free_loss']:.3f}, "
                               f"unigram {rows[0]['unigram_loss']:.3f}.\n")


def write_mlm_plot(path: Path, rows: list[dict]):
    """Validation loss per epoch: the mean over the seeds, a band of one standard deviation, and the baselines."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    from PIL import Image

    fig, ax = plt.subplots(figsize=(6.5, 3.6), dpi=90)
    for row in rows:
        epochs = range(1, len(row["curve"]) + 1)
        mean = [m for m, _ in row["curve"]]
        std = [s for _, s in row["curve"]]
        (line,) = ax.plot(epochs, mean, marker=".", label=f"{row['mixer']} ({row['params'] / 1e3:.0f}k)")
        ax.fill_between(epochs, [m - s for m, s in zip(mean, std, strict=True)],
                        [m + s for m, s in zip(mean, std, strict=True)], color=line.get_color(), alpha=0.2)
    # The baselines depend only on the text, the same for every run of one commit's notes
    ax.axhline(rows[0]["unigram_loss"], color="grey", linestyle="--", label="unigram baseline")
    ax.axhline(rows[0]["context_free_loss"], color="black", linestyle="--", label="context-free baseline")
    ax.set(xlabel="epoch", ylabel="validation loss (cross-entropy)",
           title="Sequence mixers on text at a matched parameter budget")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    # The shaded bands give the image thousands of colours; a palette of 256 looks the same at a third of the size
    image = Image.open(buffer).convert("RGB").quantize(256)
    atomic_write(path, lambda f: image.save(f, format="png", optimize=True), binary=True)


def compare_mlm(args: argparse.Namespace, mixers: list[str], argv: list[str] | None) -> list[dict]:
    """Train every mixer with every seed (or read the runs of `--from-runs`); print and write the table and the plot."""
    if args.from_runs:  # (checked before making the output folder: a wrong path writes nothing)
        root = Path(args.from_runs)
        runs = [r for r in read_mlm_runs(root) if r["config"]["mixer"] in mixers]
        if not runs:
            raise SystemExit(f"--from-runs {root}: no finished MLM runs (config.json and metrics.jsonl) there")
        rows = mlm_rows(runs)
        out = new_run_dir(args.runs_dir, "token_mixers_mlm")
    else:
        out = new_run_dir(args.runs_dir, "token_mixers_mlm")
        root = out / "runs"
        for mixer in mixers:
            for seed in range(1 if args.quick else args.seeds):
                mlm_experiment.main(MLM_RECIPE + (MLM_QUICK if args.quick else []) +
                                    ["--mixer", mixer, "--d-ff", str(MATCHED_D_FF[mixer]), "--seed", str(seed),
                                     "--runs-dir", str(root)])
        rows = mlm_rows(read_mlm_runs(root))
    text = mlm_table(rows)
    atomic_write(out / "results.md", lambda f: f.write(text))
    atomic_write(out / "results.json", lambda f: f.write(json.dumps(
        {"argv": sys.argv if argv is None else argv, "recipe": None if args.from_runs else MLM_RECIPE,
         "runs": str(root), "rows": rows}, indent=1)))
    write_mlm_plot(out / "comparison.png", rows)
    print(text + f"outputs in {out}")
    return rows


def main(argv: list[str] | None = None) -> list[dict]:
    """Train every model (`--task mlm`: every mixer) with every seed; print and write the table and the plot."""
    parser = argparse.ArgumentParser(prog="python -m labml_nn.transformers.token_mixers.experiment",
                                     description="Train every vision model (or every MLM mixer) with one recipe "
                                                 "and compare.")
    parser.add_argument("--task", choices=["vision", "mlm"], default="vision",
                        help="the vision models on images, or the masked language model's mixers on text")
    parser.add_argument("--quick", action="store_true",
                        help="2 epochs on 256 images (mlm: 1 epoch on 256 windows), one seed (a smoke test)")
    parser.add_argument("--seeds", type=int, default=None, help="seeds 0..N-1 per model (default: 3)")
    parser.add_argument("--models", default=None,
                        help=f"comma-separated subset of the models ({','.join(MODELS)}) "
                             f"or, with --task mlm, of the mixers ({','.join(MATCHED_D_FF)})")
    parser.add_argument("--from-runs", metavar="DIR", default=None,
                        help="--task mlm: tabulate and plot the finished runs under DIR instead of training")
    parser.add_argument("--dataset", choices=["digits", "cifar10"], default="digits")
    parser.add_argument("--data-dir", default=None, help="folder holding cifar-10-batches-py/")
    parser.add_argument("--runs-dir", default="runs", help="where run directories are created")
    args = parser.parse_args(argv)
    if args.seeds is not None and args.seeds < 1:
        parser.error(f"--seeds {args.seeds}: at least 1")
    seeds_given, args.seeds = args.seeds is not None, args.seeds or 3
    choices = list(MATCHED_D_FF if args.task == "mlm" else MODELS)
    names = args.models.split(",") if args.models else choices
    unknown = [n for n in names if n not in choices]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(choices)}")
    if args.task == "mlm":
        if args.dataset != "digits" or args.data_dir:
            parser.error("--dataset and --data-dir: only for the vision models (--task mlm trains on text)")
        if args.from_runs and (args.quick or seeds_given):
            parser.error("--quick and --seeds: not with --from-runs, which trains nothing")
        return compare_mlm(args, names, argv)
    if args.from_runs:
        parser.error("--from-runs: only with --task mlm")
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
