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
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal


def option(default: Any, help: str) -> Any:
    """
    A dataclass field with a help string.
    The help string is shown by `--help`; it is kept in the field's `metadata`
    so the dataclass stays an ordinary dataclass.
    """
    return field(default=default, metadata={"help": help})


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
    epochs: int = option(10, "passes over the training set")
    batch_size: int = option(64, "global batch size (split across torchrun processes)")
    # Peak learning rate of AdamW, reached at the end of the warm-up
    lr: float = option(3e-3, "peak learning rate")
    weight_decay: float = option(0.05, "AdamW weight decay")
    # Fraction of all optimizer steps spent warming the learning rate up linearly from zero;
    # the rest follows a half cosine down to zero
    warmup: float = option(0.1, "fraction of steps for linear warm-up")
    # Clip the global gradient norm; `0` disables clipping
    grad_clip: float = option(1.0, "max gradient norm (0 = no clipping)")
    seed: int = option(0, "random seed for initialization and data order")
    # `auto` picks CUDA when it is available, else the CPU
    device: str = option("auto", "auto, cpu, cuda or cuda:N")
    runs_dir: str = option("runs", "where run directories are created")
    # Continue from a `checkpoint.pt` written by an earlier run
    resume: str | None = option(None, "checkpoint to continue from")
    # Keep only the first `limit` training samples; `0` keeps them all. Handy for quick smoke tests.
    limit: int = option(0, "use only the first N training samples (0 = all)")
    progress: bool = option(True, "show a progress bar")


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
    configuration and change only what was given (for example `--epochs 20` to train longer).
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
        # The formatter cannot see a suppressed default, so type and default go into the help text
        parser.add_argument(
            option_name(f.name), dest=f.name, type=kind, choices=choices, default=argparse.SUPPRESS,
            metavar=None if choices else kind.__name__.upper(),
            help=f"{help_text} ({kind.__name__}, default: {default})",
        )
    return parser


def parse_overrides(config_cls: type, argv: list[str] | None, description: str | None = None,
                    prog: str | None = None) -> dict[str, Any]:
    """Parse `argv` and return only the fields the user set."""
    parser = build_parser(config_cls, description, prog)
    return vars(parser.parse_args(argv))


# Settings of *how* to run rather than *what* to train: a resumed run takes them from its own command line
RUNTIME_FIELDS = {"device", "runs_dir", "resume", "progress"}


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
