r"""
---
title: A small trainer for the experiments
summary: One training loop for all experiments, with metrics, plots, checkpoints, resume and torchrun.
---

# The trainer

All experiments share this loop. An experiment hands over an [`Experiment`](#Experiment):
the model, a training and a validation set, and a function that computes the loss of a batch.
Everything else lives here:

* [configuration](config.html) from the command line,
* seeding and device selection (CUDA when present, else the CPU),
* [AdamW](https://arxiv.org/abs/1711.05101) with a linear warm-up and a cosine decay of the learning rate,
* a training/validation loop with a [tqdm](https://github.com/tqdm/tqdm) progress bar,
* per-epoch metrics as JSON lines and CSV, a plot of loss and accuracy, and the resolved configuration,
* a checkpoint after every epoch, written atomically, `--resume PATH` to finish an interrupted run and
  `--init-from PATH` to start a new run from its weights,
* Ctrl-C that keeps the last completed epoch intact,
* a [deterministic mode](#reproducible) that gives the same numbers on any machine with the same PyTorch,
* mixed precision (`--amp`), `torch.compile` (`--compile`) and the throughput of every epoch,
* multi-process training under `torchrun` with
  [`DistributedDataParallel`](https://pytorch.org/docs/stable/notes/ddp.html).

A run writes into `runs/<experiment>/<timestamp>/`:

| file | content |
|---|---|
| `config.json` | the resolved configuration |
| `metrics.jsonl` | one JSON object per epoch |
| `metrics.csv` | the same, as a table |
| `plot.png` | loss and accuracy per epoch |
| `checkpoint.pt` | model, optimizer, schedule, step and metric history after the last completed epoch |
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import math
import os
import random
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset, DistributedSampler, Subset

from labml_nn.experiments.config import OptionError, changed_on_resume, make_config, parse_overrides, validate
from labml_nn.experiments.data import DataError

# Version tag stored in every checkpoint, so a file from somewhere else is recognised as such
CHECKPOINT_FORMAT = "labml_nn.experiments.checkpoint/1"


@dataclass
class Experiment:
    r"""
    ## What an experiment provides

    `loss` takes the model and a batch and returns three sums over the batch:
    the summed loss, the number of correct predictions and the number of predictions.
    Sums, not means, so that the trainer can combine batches, epochs and processes exactly:
    the mean is always $\frac{\sum \text{loss}}{\sum \text{count}}$ over everything that was seen.

    `extra` holds constants logged with every epoch (the MLM's baselines).

    `unit` names what the throughput counts (`images`, `tokens`) and `items` counts them in a batch;
    by default one item per sample.
    """

    model: nn.Module
    train_set: Dataset
    val_set: Dataset
    loss: Callable[[nn.Module, Any], tuple[torch.Tensor, torch.Tensor, torch.Tensor]]
    extra: dict[str, float] = field(default_factory=dict)
    unit: str = "images"
    items: Callable[[Any], int] = lambda batch: len(batch[0])


class RunError(Exception):
    """An error caused by the user's input; printed without a traceback, exit code 2."""


# ## Processes and devices

@dataclass
class Dist:
    """
    Where this process stands: its rank among `world` processes, and the device it computes on.
    A plain `python -m ...` run is rank 0 of a world of 1.
    """

    rank: int = 0
    world: int = 1
    device: torch.device = torch.device("cpu")

    @property
    def main(self) -> bool:
        return self.rank == 0

    def all_sum(self, t: torch.Tensor) -> torch.Tensor:
        """Sum a tensor over all processes (a no-op for a single process)."""
        if self.world > 1:
            dist.all_reduce(t, op=dist.ReduceOp.SUM)
        return t


def world_size() -> int:
    """How many processes `torchrun` started (1 for a plain `python -m ...` run)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def setup_distributed(device: str) -> Dist:
    """
    `torchrun` starts one process per worker and tells each its place through environment variables
    (`RANK`, `WORLD_SIZE`, `LOCAL_RANK`, plus the rendezvous address).
    With CUDA, processes talk through NCCL and each takes the GPU numbered by its local rank;
    on the CPU they use gloo.
    """
    cuda = torch.cuda.is_available() if device == "auto" else device.startswith("cuda")
    world = world_size()
    if world == 1:
        if device == "auto":
            device = "cuda" if cuda else "cpu"
        return Dist(device=torch.device(device))
    rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    if cuda:
        torch.cuda.set_device(local_rank)
    dist.init_process_group(backend="nccl" if cuda else "gloo")
    return Dist(rank=rank, world=world, device=torch.device(f"cuda:{local_rank}" if cuda else "cpu"))


def seed_everything(seed: int):
    """Same seed on every process: the models start identical (DDP checks it, too)."""
    random.seed(seed)
    torch.manual_seed(seed)


# ## Reproducibility
#
# <a id="reproducible"></a>
# With the same seed, a run repeats itself exactly only if every floating-point sum is taken in the same
# order. A CPU matrix product split over $n$ threads adds its partial sums in an order that depends on $n$,
# so the same command gave 98.33% on one thread and 98.61% on two. `--deterministic` removes every such
# source of variation:
#
# * **one intra-op thread** (and one inter-op thread), whatever the machine has;
# * `torch.use_deterministic_algorithms(True)`: an operation with no deterministic kernel raises an error
#   instead of silently varying; on CUDA, cuDNN's autotuner is off and cuBLAS gets a fixed workspace;
# * **seeded data-loader workers**: the loader draws its workers' seeds from a generator seeded with
#   `--seed`, and each worker seeds Python's `random` from its own torch seed.
#
# The numbers are then the same on every machine with the same PyTorch build and CPU instruction set
# (a kernel written for AVX-512 may round differently from one for AVX2). It costs speed: one thread.

@contextlib.contextmanager
def reproducible(deterministic: bool) -> Iterator[None]:
    """Deterministic settings for the duration of a run; the previous ones are restored afterwards."""
    if not deterministic:
        yield
        return
    saved = (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled(),
             torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic,
             os.environ.get("CUBLAS_WORKSPACE_CONFIG"))
    # cuBLAS reads this before its first call; `:4096:8` is the setting its documentation names
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    try:
        yield
    finally:
        threads, algorithms, benchmark, cudnn_deterministic, workspace = saved
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(algorithms)
        torch.backends.cudnn.benchmark = benchmark
        torch.backends.cudnn.deterministic = cudnn_deterministic
        if workspace is None:
            os.environ.pop("CUBLAS_WORKSPACE_CONFIG", None)


def seed_worker(worker_id: int):
    """A data-loader worker's Python `random` follows its torch seed, which the loader's generator fixed."""
    random.seed(torch.initial_seed() % 2**32)


# ## Learning-rate schedule

def warmup_cosine(total_steps: int, warmup_fraction: float) -> Callable[[int], float]:
    r"""
    The multiplier of the peak learning rate after `step` optimizer steps:
    a linear ramp over the first $w$ steps, then half a cosine from $1$ to $0$,

    $$\eta(s) = \begin{cases} \frac{s + 1}{w} & s < w \\
      \frac{1}{2}\left(1 + \cos\left(\pi \frac{s - w}{T - w}\right)\right) & s \ge w \end{cases}$$

    The warm-up keeps the first updates of Adam, whose second-moment estimates are still noisy,
    from throwing a Transformer's weights far off.
    """
    warmup = max(1, int(total_steps * warmup_fraction))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total_steps - warmup))
        return 0.5 * (1.0 + math.cos(math.pi * progress))

    return factor


# Layers whose `weight` is a map from inputs to outputs: these weights are decayed
DECAYED_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Embedding)


def decayed_parameters(model: nn.Module) -> set[int]:
    """The ids of the parameters that weight decay applies to."""
    return {id(m.weight) for m in model.modules() if isinstance(m, DECAYED_LAYERS) and m.weight is not None}


def make_optimizer(model: nn.Module, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """
    AdamW decays the weights of layers that map inputs to outputs: the matrices of linear layers,
    the kernels of convolutions and the token embedding table. Nothing else is decayed: biases,
    normalization gains and shifts, and learned vectors that are not a layer's weight, such as ViT's
    class token and position embeddings and the MLM's position table. Pulling those towards zero
    does not limit what the network can compute; it only erases the position signal.
    The rule follows the kind of layer, not the tensor's shape: a position table is 3-D, a bias 1-D,
    and neither is decayed.
    """
    decayed = decayed_parameters(model)
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [{"params": [p for p in params if id(p) in decayed], "weight_decay": weight_decay},
              {"params": [p for p in params if id(p) not in decayed], "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr)


# ## Files

def atomic_write(path: Path, write: Callable[[Any], None], binary: bool = False):
    """
    Write to `path.tmp` and rename it over `path`. `os.replace` is atomic, so a reader (or a run
    killed halfway) sees either the old file or the new one, never half of one.
    """
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb" if binary else "w", encoding=None if binary else "utf-8", newline=None) as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_metrics(run_dir: Path, history: list[dict[str, Any]]):
    """All epochs so far, as JSON lines and as CSV (columns in order of first appearance)."""
    atomic_write(run_dir / "metrics.jsonl",
                 lambda f: f.write("".join(json.dumps(row) + "\n" for row in history)))
    columns = list(dict.fromkeys(k for row in history for k in row))

    def write_csv(f):
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(history)

    atomic_write(run_dir / "metrics.csv", write_csv)


def write_plot(path: Path, history: list[dict[str, Any]], title: str):
    """
    Loss (left) and accuracy (right) per epoch, training and validation.
    Matplotlib's `Agg` backend draws to a file without a display.
    Horizontal lines show the reference losses an experiment logs (the MLM's baselines, `*_loss` constants).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    epochs = [row["epoch"] for row in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(8, 3), dpi=90)
    for split in ("train", "val"):
        ax_loss.plot(epochs, [row[f"{split}_loss"] for row in history], marker=".", label=split)
        ax_acc.plot(epochs, [100 * row[f"{split}_accuracy"] for row in history], marker=".", label=split)
    references = [k for k in (history[-1] if history else {}) if k.endswith("_loss")
                  and k not in ("train_loss", "val_loss")]
    for k, style in zip(references, ("--", ":", "-."), strict=False):
        ax_loss.axhline(history[-1][k], color="grey", linestyle=style, label=k.removesuffix("_loss"))
    ax_loss.set(xlabel="epoch", ylabel="loss", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend()
    if history:
        last = history[-1]
        title += f" — epoch {last['epoch']}: val loss {last['val_loss']:.3f}, " \
                 f"val accuracy {100 * last['val_accuracy']:.1f}%"
    fig.suptitle(title)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    atomic_write(path, lambda f: f.write(buffer.getvalue()), binary=True)


def new_run_dir(runs_dir: str, experiment: str) -> Path:
    """`runs/<experiment>/<timestamp>/`, with a suffix if two runs start in the same second."""
    base = Path(runs_dir) / experiment
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for i in range(1000):
        path = base / (stamp if i == 0 else f"{stamp}-{i}")
        try:
            path.mkdir(parents=True)
            return path
        except FileExistsError:
            continue
    raise RunError(f"cannot create a run directory under {base}")


def load_checkpoint(path: str, kind: str, option: str = "--resume") -> dict[str, Any]:
    """
    Read and check a checkpoint before anything else happens, so that a bad file stops the run
    before a run directory is created. `weights_only=True` refuses to execute code hidden in a
    pickle; our checkpoints hold only tensors and plain Python values.

    `kind` is the experiment's default name (`vit`, `mlm`, ...). It is stored in the checkpoint apart
    from `--experiment`, which only names the run folder: a run started with `--experiment ablation`
    resumes with the same command. (Older checkpoints have no `kind`; their name stands in for it.)
    """
    p = Path(path)
    if not p.is_file():
        raise RunError(f"{option} {path}: no such file")
    try:
        ckpt = torch.load(p, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - any failure to unpickle means the same thing to the user
        raise RunError(f"{option} {path}: not a readable checkpoint ({type(e).__name__}: {e})") from None
    if not isinstance(ckpt, dict) or ckpt.get("format") != CHECKPOINT_FORMAT:
        raise RunError(f"{option} {path}: not a checkpoint written by labml_nn.experiments")
    saved_kind = ckpt.get("kind", ckpt["experiment"])
    if saved_kind != kind:
        raise RunError(f"{option} {path}: a checkpoint of a {saved_kind!r} model, not of {kind!r}")
    return ckpt


@contextlib.contextmanager
def defer_interrupt() -> Iterator[None]:
    """
    Hold Ctrl-C while the end-of-epoch files are written, then raise it.
    Metrics and checkpoint of an epoch are therefore written together or not at all.
    (Signal handlers can only be installed from the main thread; elsewhere this does nothing.)
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


def fmt_metrics(row: dict[str, Any]) -> str:
    """`epoch 3/10  train_loss 0.4123  ...  2310 images/s` for the console."""
    parts = []
    for k, v in row.items():
        if k in ("epoch", "step", "seconds", "lr"):
            continue
        if k.endswith("_per_s"):
            parts.append(f"{v:.0f} {k.removeprefix('train_').removesuffix('_per_s')}/s")
        else:
            parts.append(f"{k} {100 * v:.2f}%" if k.endswith("accuracy") else f"{k} {v:.4f}")
    return "  ".join(parts)


@dataclass
class Precision:
    """
    ### Mixed precision

    Under `torch.autocast` matrix products and convolutions run in `dtype` while reductions such as
    softmax, LayerNorm and the loss stay in float32. bfloat16 has float32's exponent range, so its
    gradients need no scaling; float16 (CUDA only) has a narrow range, and a `GradScaler` multiplies the
    loss before `backward` so small gradients do not underflow, then divides them again before clipping.
    """

    device_type: str
    dtype: torch.dtype | None  # `None`: full precision

    def autocast(self):
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device_type, dtype=self.dtype)

    def scaler(self) -> torch.amp.GradScaler:
        return torch.amp.GradScaler(self.device_type, enabled=self.dtype == torch.float16)


def autocast_dtype(config, device: torch.device) -> torch.dtype | None:
    """`--amp-dtype auto` is bfloat16 on the CPU and on GPUs that have it, float16 on older GPUs."""
    if not config.amp:
        return None
    if config.amp_dtype == "fp16":
        return torch.float16
    if config.amp_dtype == "bf16" or device.type == "cpu" or torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float16


@dataclass
class EpochStats:
    """Means over everything all processes saw, and the training throughput."""

    loss: float
    accuracy: float
    items_per_second: float


def run_epoch(model: nn.Module, loader: DataLoader, experiment: Experiment, d: Dist, precision: Precision, *,
              optimizer: torch.optim.Optimizer | None = None, scheduler=None, scaler=None,
              grad_clip: float = 0.0, progress=None) -> EpochStats:
    r"""
    ## One pass over a loader

    Trains when an optimizer is given, else evaluates without gradients.
    Returns the mean loss and accuracy over everything seen by *all* processes, and how many
    items (images, tokens) per second all processes together went through.

    In training the loss of a process is its summed loss divided by the number of predictions in the
    whole global batch, times the number of processes. DDP averages gradients over processes, so the
    gradient is exactly that of the mean over the global batch, even when processes see different
    numbers of predictions (the masked tokens of the MLM).
    """
    training = optimizer is not None
    model.train(training)
    # Sums of loss, correct predictions, predictions and items
    totals = torch.zeros(4, dtype=torch.float64, device=d.device)
    started = time.perf_counter()
    with torch.set_grad_enabled(training):
        for batch in loader:
            batch = [t.to(d.device, non_blocking=True) for t in batch]
            with precision.autocast():
                loss_sum, correct, count = experiment.loss(model, batch)
            items = experiment.items(batch)
            totals += torch.stack([loss_sum.detach().double(), correct.double(), count.double(),
                                   torch.tensor(float(items), dtype=torch.float64, device=d.device)])
            if training:
                global_count = d.all_sum(count.detach().double().clone()).clamp(min=1)
                loss = loss_sum * d.world / global_count
                optimizer.zero_grad(set_to_none=True)
                scaler.scale(loss).backward()
                if grad_clip > 0:
                    # Clip the true gradients: undo float16's loss scaling first (a no-op otherwise)
                    scaler.unscale_(optimizer)
                    torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
                scaler.step(optimizer)
                scaler.update()
                scheduler.step()
                if progress is not None:
                    progress.update(1)
                    mean = float(loss_sum.detach()) / max(1.0, float(count))
                    rate = d.world * float(totals[3]) / max(time.perf_counter() - started, 1e-9)
                    progress.set_postfix({"loss": f"{mean:.4f}", experiment.unit + "/s": f"{rate:.0f}"},
                                         refresh=False)
    seconds = time.perf_counter() - started
    # Sum over processes, then divide
    loss_sum, correct, count, items = d.all_sum(totals).tolist()
    return EpochStats(loss_sum / max(count, 1.0), correct / max(count, 1.0), items / max(seconds, 1e-9))


def train(config, experiment: Experiment, d: Dist, ckpt: dict[str, Any] | None,
          init: dict[str, Any] | None = None, kind: str | None = None) -> tuple[Path | None, list]:
    """
    ## The training loop

    `ckpt` is the checkpoint of a run to continue (`--resume`), `init` one whose weights start this run
    (`--init-from`). Returns the run directory (`None` on ranks other than 0) and the metrics of every epoch.
    """
    model = experiment.model
    # With several GPUs, BatchNorm layers (ConvMixer has them) normalize over the global batch
    if d.world > 1 and d.device.type == "cuda":
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    model = model.to(d.device)

    # ### Data
    #
    # `batch_size` must split evenly over the processes. `DistributedSampler` shuffles all indices with
    # `seed + epoch` and gives process $r$ every $N$-th index starting at $r$; with `batch_size / N` samples
    # per process, batch $k$ of all processes together is exactly batch $k$ of a single-process run.
    # `drop_last` keeps every batch full, so all processes take the same number of steps.
    if config.batch_size % d.world:
        raise RunError(f"--batch-size {config.batch_size} does not split over {d.world} processes")
    train_set = experiment.train_set
    if config.limit:
        train_set = Subset(train_set, range(min(config.limit, len(train_set))))
    per_process = config.batch_size // d.world
    sampler = DistributedSampler(train_set, num_replicas=d.world, rank=d.rank, shuffle=True,
                                 seed=config.seed, drop_last=True)
    pin = d.device.type == "cuda"
    # Workers, if any, take their seeds from this generator (see [reproducibility](#reproducible))
    loader_seed = torch.Generator().manual_seed(config.seed)
    train_loader = DataLoader(train_set, batch_size=per_process, sampler=sampler, drop_last=True,
                              pin_memory=pin, num_workers=config.workers, worker_init_fn=seed_worker,
                              generator=loader_seed)
    steps_per_epoch = len(train_loader)
    if steps_per_epoch == 0:
        raise RunError(f"--batch-size {config.batch_size}: {len(train_set)} training samples do not fill "
                       "one batch")
    # Validation is split without padding (`DistributedSampler` would repeat samples to even out the
    # shards), so the summed metrics count each validation sample exactly once
    val_shard = Subset(experiment.val_set, range(d.rank, len(experiment.val_set), d.world))
    val_loader = DataLoader(val_shard, batch_size=max(per_process, 256), pin_memory=pin)

    # ### Optimizer and schedule
    #
    # The schedule is fixed when a run starts: $T$ = `epochs` $\times$ steps per epoch. A resumed run
    # takes $T$ from its checkpoint, so it finishes the very schedule it started (its other settings are
    # the checkpoint's too; see [`run`](#run)).
    optimizer = make_optimizer(model, config.lr, config.weight_decay)
    total_steps = ckpt.get("total_steps", config.epochs * steps_per_epoch) if ckpt else \
        config.epochs * steps_per_epoch
    schedule = warmup_cosine(total_steps, config.warmup)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    precision = Precision(d.device.type, autocast_dtype(config, d.device))
    scaler = precision.scaler()

    # ### Resume
    #
    # Restore model, optimizer (Adam's moment estimates), schedule position and random state;
    # training goes on with the epoch after the saved one.
    start_epoch, step, history = 1, 0, []
    source = ckpt or init
    if source is not None:
        option = "--resume" if ckpt else "--init-from"
        try:
            model.load_state_dict(source["model"])
            if ckpt:
                optimizer.load_state_dict(ckpt["optimizer"])
        except (RuntimeError, ValueError, KeyError) as e:
            # PyTorch's message opens with a header line; the first detail names the mismatch
            lines = [line.strip() for line in str(e).splitlines() if line.strip()] or [repr(e)]
            raise RunError(f"{option} {config.resume or config.init_from}: does not fit this model "
                           f"({lines[1] if len(lines) > 1 else lines[0]})") from None
    if ckpt is not None:
        # The schedule is a pure function of the step, so placing it is enough
        scheduler.last_epoch = ckpt["step"]
        for group, base_lr in zip(optimizer.param_groups, scheduler.base_lrs, strict=True):
            group["lr"] = base_lr * schedule(ckpt["step"])
        if "scaler" in ckpt and scaler.is_enabled():
            scaler.load_state_dict(ckpt["scaler"])
        torch.set_rng_state(ckpt["rng"]["torch"])
        if torch.cuda.is_available() and len(ckpt["rng"].get("cuda", [])) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(ckpt["rng"]["cuda"])
        random.setstate(ckpt["rng"]["python"])
        start_epoch, step, history = ckpt["epoch"] + 1, ckpt["step"], list(ckpt["history"])

    # Under torchrun, wrap the model so gradients are averaged across processes during `backward`.
    # `--compile` compiles the module that runs the forward pass; the plain `model` keeps the weights
    # (and the checkpoint's parameter names)
    train_module, eval_module = model, model
    if d.world > 1:
        device_ids = [d.device.index] if d.device.type == "cuda" else None
        train_module = DistributedDataParallel(model, device_ids=device_ids)
    if config.compile:
        eval_module = torch.compile(model)
        train_module = eval_module if d.world == 1 else torch.compile(train_module)

    # Only rank 0 writes; it creates the run directory now, after everything that can fail on bad input
    run_dir = new_run_dir(config.runs_dir, config.experiment) if d.main else None
    if d.main:
        atomic_write(run_dir / "config.json",
                     lambda f: f.write(json.dumps(dataclasses.asdict(config), indent=2) + "\n"))
        if history:
            write_metrics(run_dir, history)
        print(f"run directory: {run_dir}", flush=True)

    from tqdm import tqdm

    title = config.experiment
    try:
        for epoch in range(start_epoch, config.epochs + 1):
            started = time.time()
            sampler.set_epoch(epoch)
            # Datasets that draw random masks need the epoch as well
            if hasattr(experiment.train_set, "set_epoch"):
                experiment.train_set.set_epoch(epoch)
            bar = tqdm(total=steps_per_epoch, desc=f"epoch {epoch}/{config.epochs}", leave=False,
                       disable=not (d.main and config.progress), file=sys.stderr, dynamic_ncols=True)
            lr = optimizer.param_groups[0]["lr"]
            trained = run_epoch(train_module, train_loader, experiment, d, precision, optimizer=optimizer,
                                scheduler=scheduler, scaler=scaler, grad_clip=config.grad_clip, progress=bar)
            bar.close()
            step += steps_per_epoch
            validated = run_epoch(eval_module, val_loader, experiment, d, precision)
            row = {"epoch": epoch, "step": step, "lr": lr,
                   "train_loss": trained.loss, "train_accuracy": trained.accuracy,
                   "val_loss": validated.loss, "val_accuracy": validated.accuracy, **experiment.extra,
                   f"train_{experiment.unit}_per_s": round(trained.items_per_second, 1),
                   "seconds": round(time.time() - started, 3)}
            # ### End of epoch
            #
            # Metrics and checkpoint are written together; a Ctrl-C arriving meanwhile waits until both are
            # on disk.
            with defer_interrupt():
                history.append(row)
                if d.main:
                    print(f"epoch {epoch}/{config.epochs}  {fmt_metrics(row)}", flush=True)
                    write_metrics(run_dir, history)
                    save_checkpoint(run_dir / "checkpoint.pt", config, kind or config.experiment, model,
                                    optimizer, scaler, epoch, step, total_steps, history)
    except KeyboardInterrupt:
        # Ctrl-C: the files of the last completed epoch are already on disk; draw what we have and stop
        if d.main:
            if history:
                write_plot(run_dir / "plot.png", history, title)
            done = history[-1]["epoch"] if history else 0
            print(f"\ninterrupted; {done} completed epoch(s) saved in {run_dir}", file=sys.stderr, flush=True)
        raise
    if d.main:
        write_plot(run_dir / "plot.png", history, title)
    return run_dir, history


def save_checkpoint(path: Path, config, kind: str, model: nn.Module, optimizer, scaler, epoch: int, step: int,
                    total_steps: int, history: list):
    """
    Everything needed to continue: weights, optimizer state, the schedule (its length `total_steps` and
    the position `step`), random state and the metric history (so the resumed run's files show the whole
    run). `kind` is the experiment's own name, which `--experiment` does not change.
    """
    state = {
        "format": CHECKPOINT_FORMAT,
        "kind": kind,
        "experiment": config.experiment,
        "config": dataclasses.asdict(config),
        "epoch": epoch,
        "step": step,
        "total_steps": total_steps,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scaler": scaler.state_dict() if scaler.is_enabled() else {},
        "history": history,
        "rng": {"torch": torch.get_rng_state(), "python": random.getstate(),
                "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []},
    }
    atomic_write(path, lambda f: torch.save(state, f), binary=True)


def resume_checkpoint(config_cls: type, overrides: dict[str, Any], kind: str) -> dict[str, Any]:
    """
    The checkpoint of `--resume`, after checking that the command continues that run as it was:
    an option that changes what is trained (`--epochs`, `--lr`, a model size) is refused, and so is a
    run that has nothing left to do. To train a finished run longer, start a new one from its weights.
    """
    path = overrides["resume"]
    ckpt = load_checkpoint(path, kind)
    saved = ckpt["config"]
    for name in changed_on_resume(saved, overrides):
        flag = "--" + name.replace("_", "-")
        raise RunError(f"{flag} {overrides[name]}: a resumed run keeps the settings it started with "
                       f"({flag} {saved[name]}); to train longer or differently, start a new run from its "
                       f"weights with --init-from {path}")
    if ckpt["epoch"] >= saved["epochs"]:
        raise RunError(f"--resume {path}: the run already finished its {saved['epochs']} epochs; to train "
                       f"longer, start a new run from its weights with --init-from {path} --epochs N")
    return ckpt


def run(config_cls: type, build: Callable[[Any, Dist], Experiment], argv: list[str] | None = None,
        description: str | None = None, prog: str | None = None) -> tuple[Any, Path | None, list]:
    """
    ## Entry point

    Parse the command line, check every option, set up processes and device, build the experiment and
    train. Returns the resolved configuration, the run directory (rank 0) and the metric history.

    Errors caused by the input (an option out of range, a bad path, a corrupt checkpoint) exit with code 2
    and a one-line message naming the option, before a run directory exists; Ctrl-C exits with code 130
    after saying what was kept.
    """
    overrides = parse_overrides(config_cls, argv, description, prog)
    # The experiment's own name, kept in checkpoints whatever `--experiment` says
    kind = config_cls().experiment
    d = None
    try:
        if overrides.get("resume") and overrides.get("init_from"):
            raise OptionError("--init-from: cannot be combined with --resume (resume continues a run, "
                              "init-from starts a new one)")
        ckpt = resume_checkpoint(config_cls, overrides, kind) if overrides.get("resume") else None
        config = make_config(config_cls, ckpt["config"] if ckpt else None, overrides)
        validate(config)
        init = load_checkpoint(config.init_from, kind, "--init-from") if config.init_from else None
        with reproducible(config.deterministic):
            d = setup_distributed(config.device)
            seed_everything(config.seed)
            experiment = build(config, d)
            run_dir, history = train(config, experiment, d, ckpt, init, kind)
            # Every process reaches the end before any tears down its connections
            if d.world > 1:
                dist.barrier()
        return config, run_dir, history
    except (RunError, DataError, OptionError) as e:
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    finally:
        if d is not None and d.world > 1 and dist.is_initialized():
            dist.destroy_process_group()


def run_as_program(main: Callable[[list[str]], Any]) -> None:
    """
    ## Running as a program

    `python -m <experiment>` and `torchrun ... -m <experiment>` start here, with the command-line arguments.

    A `torchrun` worker leaves with `os._exit` once `main` has returned, its outputs saved and the process
    group destroyed. `DistributedDataParallel` keeps gloo's worker threads alive past
    `destroy_process_group`; when one of them releases the tensor of the last collective while Python is
    shutting down, it cannot take the interpreter lock and the process aborts
    (`terminate called without an active exception`), making `torchrun` report a failed run.
    Leaving without the interpreter's shutdown avoids that; a single process exits normally.
    """
    code: int | str | None = 0
    try:
        main(sys.argv[1:])
    except SystemExit as e:
        code = e.code
    if world_size() == 1:
        raise SystemExit(code)
    if isinstance(code, str):  # `SystemExit("message")` prints the message and exits with 1
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)
