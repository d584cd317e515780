r"""
---
title: Experiment configurations and their command-line options
summary: A dataclass per experiment; every field becomes a typed command-line option with its default.
---

# Configurations as dataclasses

Each experiment describes its settings as one Python
[dataclass](https://docs.python.org/3/library/dataclasses.html).
The fields are the single source of truth: the defaults are what `python -m ...experiment` runs with,
the type annotations decide how a command-line value is parsed, and the resolved dataclass is written
as `config.json` next to the run's metrics.

```python
@dataclass
class Config(TrainConfig):
    d_model: int = option(64, "width of the token embeddings")
```

becomes `--d-model 64` on the command line, and `--help` lists it with its type and default.
An option that does not exist, or a value of the wrong type, stops the program with an
argparse error that lists the valid options (exit code 2), before anything is trained or written.

A field may also say which values make sense (`option(3, "kernel size", low=1)`), and a configuration
may check how its fields fit together (a patch side must divide the image side). A value outside
those bounds stops the program the same way, with one line that names the option, before a run folder
is created: `--kernel-size 0: must be at least 1`.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal


class OptionError(Exception):
    """An option whose value cannot work; printed as one line that names the option, exit code 2."""


def option(default: Any, help: str, *, low: float | None = None, high: float | None = None,
           low_open: bool = False, high_open: bool = False) -> Any:
    """
    A dataclass field with a help string and, optionally, the range of values that make sense:
    `low <= value <= high`, or `low < value` with `low_open` and `value < high` with `high_open`.
    Help and range are kept in the field's `metadata`, so the dataclass stays an ordinary dataclass.
    """
    bounds = (low, high, low_open, high_open)
    return field(default=default, metadata={"help": help, "bounds": bounds})


def _range_text(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    """`must be at least 1`, `must be greater than 0`, `must be in [0, 1)`."""
    if high is None:
        return f"must be greater than {low:g}" if low_open else f"must be at least {low:g}"
    if low is None:
        return f"must be less than {high:g}" if high_open else f"must be at most {high:g}"
    return f"must be in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


NO_BOUNDS = (None, None, False, False)


def field_bounds(config_cls: type, name: str) -> tuple:
    """
    The range of a field. An experiment that overrides a field to change its default (`epochs`, `lr`)
    keeps the range declared by the class it inherits from.
    """
    for cls in config_cls.__mro__:
        f = getattr(cls, "__dataclass_fields__", {}).get(name)
        if f is not None and f.metadata.get("bounds", NO_BOUNDS) != NO_BOUNDS:
            return f.metadata["bounds"]
    return NO_BOUNDS


def validate(config) -> None:
    """
    Check every field against its range, then the configuration's own `check()` for fields that
    depend on each other. Raises `OptionError` for the first problem, naming the option.
    """
    for f in dataclasses.fields(config):
        low, high, low_open, high_open = field_bounds(type(config), f.name)
        value = getattr(config, f.name)
        if value is None or (low is None and high is None):
            continue
        too_low = low is not None and (value <= low if low_open else value < low)
        too_high = high is not None and (value >= high if high_open else value > high)
        if too_low or too_high:
            raise OptionError(f"{option_name(f.name)} {value}: {_range_text(low, high, low_open, high_open)}")
    config.check()


@dataclass
class TrainConfig:
    """
    ## Settings every experiment shares

    Experiments subclass this and add their model's hyper-parameters.
    `batch_size` is the *global* batch size: under `torchrun` with $N$ processes each process
    takes `batch_size` $/ N$ samples per step, so the optimizer sees the same batches
    whatever $N$ is.
    """

    # Name of the experiment; runs go to `runs/<experiment>/<timestamp>/`
    experiment: str = option("experiment", "name used for the run directory")
    epochs: int = option(10, "passes over the training set", low=1)
    batch_size: int = option(64, "global batch size (split across torchrun processes)", low=1)
    # Peak learning rate of AdamW, reached at the end of the warm-up
    lr: float = option(3e-3, "peak learning rate", low=0, low_open=True)
    weight_decay: float = option(0.05, "AdamW weight decay", low=0)
    # Fraction of all optimizer steps spent warming the learning rate up linearly from zero;
    # the rest follows a half cosine down to zero. It must leave room for the decay.
    warmup: float = option(0.1, "fraction of steps for linear warm-up", low=0, high=1, high_open=True)
    # Clip the global gradient norm; `0` disables clipping
    grad_clip: float = option(1.0, "max gradient norm (0 = no clipping)", low=0)
    seed: int = option(0, "random seed for initialization and data order", low=0)
    # `auto` picks CUDA when it is available, else the CPU
    device: str = option("auto", "auto, cpu, cuda or cuda:N")
    runs_dir: str = option("runs", "where run directories are created")
    # Continue an interrupted run from its `checkpoint.pt`: same settings, same schedule
    resume: str | None = option(None, "checkpoint to continue from")
    # Start a *new* run (new schedule, new optimizer) from the weights of a checkpoint:
    # the way to train a finished run for longer
    init_from: str | None = option(None, "checkpoint whose weights start a new run")
    # Keep only the first `limit` training samples; `0` keeps them all. Handy for quick smoke tests.
    limit: int = option(0, "use only the first N training samples (0 = all)", low=0)
    progress: bool = option(True, "show a progress bar")
    # One CPU thread, deterministic kernels and seeded data-loader workers: the same numbers on every
    # machine with the same PyTorch, at the cost of speed (see the [trainer](trainer.html#reproducible))
    deterministic: bool = option(False, "reproducible mode: 1 thread, deterministic kernels")
    # Mixed precision: `torch.autocast` runs matrix products in bfloat16 (CPU or CUDA) or float16 (CUDA)
    amp: bool = option(False, "automatic mixed precision")
    amp_dtype: Literal["auto", "bf16", "fp16"] = option("auto", "autocast type; auto: bf16 on CPU, "
                                                        "bf16 or fp16 on CUDA")
    # Compile the model with `torch.compile` (the first steps are slow while it compiles)
    compile: bool = option(False, "compile the model with torch.compile")
    # Data-loader worker processes; `0` loads in the training process
    workers: int = option(0, "data-loader worker processes", low=0)

    def check(self) -> None:
        """Checks across fields; experiments extend this."""
        if not self.experiment or "/" in self.experiment or "\\" in self.experiment \
                or self.experiment in (".", ".."):
            raise OptionError(f"--experiment {self.experiment!r}: must be a plain folder name")
        cuda = check_device(self.device)
        if self.amp and self.amp_dtype == "fp16" and not cuda:
            raise OptionError("--amp-dtype fp16: float16 autocast needs CUDA; use bf16 on the CPU")


def check_device(device: str) -> bool:
    """Whether `--device` means CUDA; raises `OptionError` for a device that does not exist here."""
    import torch

    if device in ("auto", "cpu"):
        return device == "auto" and torch.cuda.is_available()
    if device == "cuda" or device.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise OptionError(f"--device {device}: CUDA is not available on this machine (use cpu or auto)")
        index = device.partition(":")[2]
        if index and (not index.isdigit() or int(index) >= torch.cuda.device_count()):
            raise OptionError(f"--device {device}: this machine has {torch.cuda.device_count()} CUDA "
                              "device(s), numbered from 0")
        return True
    raise OptionError(f"--device {device}: must be auto, cpu, cuda or cuda:N")


# The dash-separated option name of a field: `d_model` → `--d-model`.
def option_name(name: str) -> str:
    return "--" + name.replace("_", "-")


class OptionParser(argparse.ArgumentParser):
    """
    An `ArgumentParser` whose errors list the valid options.
    argparse already exits with code 2 and a usage line; we add the list of options
    so a typo like `--epoch` is easy to fix.
    """

    def error(self, message: str) -> typing.NoReturn:
        names = sorted(a.option_strings[-1] for a in self._actions if a.option_strings)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\nvalid options: {', '.join(names)}\n")


# Turn an annotation into `(argparse type, choices, nargs-free?)`.
# `int | None` parses as `int`; `Literal["a", "b"]` becomes a `choices` list.
def _parse_type(annotation: Any) -> tuple[Any, list | None]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _parse_type(args[0])
    if origin is Literal:
        choices = list(typing.get_args(annotation))
        return type(choices[0]), choices
    return annotation, None


def build_parser(config_cls: type, description: str | None = None, prog: str | None = None) -> OptionParser:
    """
    ## Options from fields

    One option per dataclass field. Defaults are `argparse.SUPPRESS` so that the parsed namespace holds
    only the options the user actually typed; that lets `--resume` start from the checkpoint's
    configuration and tell a typed option (which must not change what the run trains) from a default.
    """
    parser = OptionParser(
        prog=prog,
        description=description,
        allow_abbrev=False,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    hints = typing.get_type_hints(config_cls)
    defaults = config_cls()
    for f in dataclasses.fields(config_cls):
        kind, choices = _parse_type(hints[f.name])
        help_text = f.metadata.get("help", "")
        default = getattr(defaults, f.name)
        # Booleans get a `--flag / --no-flag` pair
        if kind is bool:
            parser.add_argument(
                option_name(f.name), dest=f.name, action=argparse.BooleanOptionalAction,
                default=argparse.SUPPRESS, help=f"{help_text} (default: {default})",
            )
            continue
        # The formatter cannot see a suppressed default, so type, default and range go into the help text
        low, high, low_open, high_open = field_bounds(config_cls, f.name)
        limits = "" if low is None and high is None else "; " + _range_text(low, high, low_open, high_open)
        parser.add_argument(
            option_name(f.name), dest=f.name, type=kind, choices=choices, default=argparse.SUPPRESS,
            metavar=None if choices else kind.__name__.upper(),
            help=f"{help_text} ({kind.__name__}, default: {default}{limits})",
        )
    return parser


def parse_overrides(config_cls: type, argv: list[str] | None, description: str | None = None,
                    prog: str | None = None) -> dict[str, Any]:
    """Parse `argv` and return only the fields the user set."""
    parser = build_parser(config_cls, description, prog)
    return vars(parser.parse_args(argv))


# Settings of *how* to run rather than *what* to train: a resumed run takes them from its own command line,
# and they may differ from the first run's
RUNTIME_FIELDS = {"device", "runs_dir", "resume", "init_from", "progress", "deterministic", "amp", "amp_dtype",
                  "compile", "workers"}


def make_config(config_cls: type, base: dict[str, Any] | None, overrides: dict[str, Any]):
    """
    The resolved configuration: the dataclass defaults, then `base` (a checkpoint's saved configuration,
    when resuming), then the command-line overrides. Fields in `base` that this version of the
    dataclass no longer has are ignored, and so are the runtime settings in `RUNTIME_FIELDS`.
    """
    names = {f.name for f in dataclasses.fields(config_cls)} - RUNTIME_FIELDS
    values = {k: v for k, v in (base or {}).items() if k in names}
    values.update(overrides)
    return config_cls(**values)


def changed_on_resume(saved: dict[str, Any], overrides: dict[str, Any]) -> list[str]:
    """
    The options typed with `--resume` that would change what the run trains (anything but the runtime
    settings). A resumed run must finish the run it continues, so these are refused.
    """
    return [k for k, v in overrides.items() if k not in RUNTIME_FIELDS and k in saved and saved[k] != v]
