"""Tests of the runnable experiments: short real runs with tiny configurations.

Every run here is a real training run (real models, real data, real files); configurations are
shrunk so the whole file finishes in well under a minute on two CPU cores.
"""

from __future__ import annotations

import _thread
import csv
import json
import os
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from labml_nn.conv_mixer import experiment as conv_mixer_experiment
from labml_nn.experiments.data import (
    ByteTokenizer,
    DataError,
    MaskedTextDataset,
    load_cifar10,
    unigram_baseline,
)
from labml_nn.transformers.mlm import experiment as mlm_experiment
from labml_nn.transformers.mlp_mixer import experiment as mlp_mixer_experiment
from labml_nn.transformers.vit import experiment as vit_experiment

ROOT = Path(__file__).resolve().parents[1]

# Tiny models: a few thousand parameters, a few steps per epoch
TINY = {
    "mlp_mixer": (mlp_mixer_experiment, ["--d-model", "16", "--n-layers", "1", "--token-mlp-dim", "8",
                                         "--channel-mlp-dim", "16"]),
    "conv_mixer": (conv_mixer_experiment, ["--dim", "16", "--depth", "1"]),
    "vit": (vit_experiment, ["--d-model", "16", "--n-layers", "1", "--n-heads", "2", "--d-ff", "32"]),
    "mlm": (mlm_experiment, ["--seq-len", "16", "--d-model", "32", "--n-layers", "1", "--n-heads", "2",
                             "--d-ff", "64"]),
}
COMMON = ["--epochs", "3", "--batch-size", "32", "--limit", "256", "--lr", "1e-2", "--no-progress"]


@pytest.fixture(scope="module")
def text_file(tmp_path_factory) -> Path:
    """A small English text with enough regularity for a few steps to lower the loss."""
    words = "the model learns to fill in the masked bytes from the context on both sides".split()
    rng = np.random.default_rng(0)
    text = "\n".join(" ".join(rng.choice(words, size=12)) + "." for _ in range(120))
    path = tmp_path_factory.mktemp("text") / "text.txt"
    path.write_text(text, encoding="utf-8")
    return path


def tiny_args(name: str, runs_dir: Path, text_file: Path, *extra: str) -> list[str]:
    module, model_args = TINY[name]
    args = [*COMMON, *model_args, "--runs-dir", str(runs_dir), *extra]
    if name == "mlm":
        args += ["--text-file", str(text_file)]
    return args


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("name", list(TINY))
def test_short_run_learns_and_writes_outputs(name, tmp_path, text_file):
    module, _ = TINY[name]
    history = module.main(tiny_args(name, tmp_path, text_file))
    assert [row["epoch"] for row in history] == [1, 2, 3]
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert history[-1]["val_loss"] < history[0]["val_loss"] or name == "mlm"
    (run_dir,) = (tmp_path / name).iterdir()
    assert read_jsonl(run_dir / "metrics.jsonl") == history
    with open(run_dir / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3 and float(rows[-1]["val_loss"]) == pytest.approx(history[-1]["val_loss"])
    assert (run_dir / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    config = json.loads((run_dir / "config.json").read_text())
    assert config["epochs"] == 3 and config["experiment"] == name
    ckpt = torch.load(run_dir / "checkpoint.pt", weights_only=True)
    assert ckpt["epoch"] == 3 and ckpt["step"] == history[-1]["step"]
    assert not list(run_dir.glob("*.tmp"))


def test_mlm_reports_unigram_baseline(tmp_path, text_file):
    history = mlm_experiment.main(tiny_args("mlm", tmp_path, text_file))
    # ln(258) is the loss of a uniform guess; the baseline must be far below it and constant
    assert 0 < history[0]["unigram_loss"] < np.log(258)
    assert len({row["unigram_loss"] for row in history}) == 1


def test_masking_depends_only_on_sample_and_epoch():
    tok = ByteTokenizer()
    tokens = tok.encode("hello world, " * 40)
    ds = MaskedTextDataset(tokens, 16, 8, vocab_size=256, mask_id=tok.mask_id, seed=3)
    a = ds[5]
    assert torch.equal(ds[5][0], a[0]) and torch.equal(ds[5][1], a[1])
    ds.set_epoch(1)
    assert not torch.equal(ds[5][1], a[1]) or not torch.equal(ds[5][0], a[0])
    labels = torch.stack([ds[i][1] for i in range(len(ds))])
    assert (labels != -100).any()
    assert unigram_baseline(tokens, labels, tok.vocab_size) > 0
    assert tok.decode(tok.encode("héllo")) == "héllo"


def test_default_text_is_this_repositorys_notes():
    pytest.importorskip("site_builder.parser")
    from labml_nn.experiments.data import repository_notes

    text = repository_notes()
    assert len(text) > 10_000
    # A sentence of the MLM experiment's own page is part of its training text
    assert "unigram baseline" in text


# ## CIFAR-10

def write_cifar(root: Path, n: int = 10) -> Path:
    """The python-pickle layout of CIFAR-10, with `n` random images per file."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i, name in enumerate([f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]):
        batch = {
            b"batch_label": f"batch {i}".encode(),
            b"labels": [int(x) for x in rng.integers(0, 10, n)],
            b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
            b"filenames": [f"img_{i}_{j}.png".encode() for j in range(n)],
        }
        with open(folder / name, "wb") as f:
            pickle.dump(batch, f, protocol=2)
    return root


def test_cifar10_loader_reads_pickle_layout(tmp_path):
    root = write_cifar(tmp_path)
    data = load_cifar10(root)
    assert len(data.train) == 50 and len(data.val) == 10
    image, label = data.train[0]
    assert image.shape == (3, 32, 32) and image.dtype == torch.float32 and 0 <= int(label) < 10
    # --data-dir may point at the folder itself
    assert len(load_cifar10(root / "cifar-10-batches-py").train) == 50
    # The channel layout is red plane, green plane, blue plane
    with open(root / "cifar-10-batches-py" / "data_batch_1", "rb") as f:
        raw = pickle.load(f, encoding="bytes")[b"data"][0]
    stats = torch.tensor(raw, dtype=torch.float32).view(3, 32, 32)
    assert torch.corrcoef(torch.stack([stats.flatten(), data.train[0][0].flatten()]))[0, 1] > 0.9


def test_cifar10_experiment_runs(tmp_path):
    root = write_cifar(tmp_path / "data", n=16)
    history = conv_mixer_experiment.main([
        "--dataset", "cifar10", "--data-dir", str(root), "--epochs", "1", "--batch-size", "16", "--dim", "8",
        "--depth", "1", "--patch-size", "4", "--flip", "--no-progress", "--runs-dir", str(tmp_path / "runs"),
    ])
    assert len(history) == 1 and history[0]["step"] == 5


def test_cifar10_bad_file_is_data_error(tmp_path):
    root = write_cifar(tmp_path)
    (root / "cifar-10-batches-py" / "test_batch").write_bytes(b"not a pickle")
    with pytest.raises(DataError, match="not a CIFAR-10 python batch file"):
        load_cifar10(root)


def test_missing_data_dir_exits_2_with_layout_and_no_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "labml_nn.conv_mixer.experiment", "--dataset", "cifar10",
         "--data-dir", str(tmp_path / "nowhere"), "--runs-dir", str(tmp_path / "runs")],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "cifar-10-batches-py/data_batch_1" in result.stderr and "test_batch" in result.stderr
    assert not (tmp_path / "runs").exists()


def test_data_dir_without_cifar_files(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit) as e:
        vit_experiment.main(["--dataset", "cifar10", "--data-dir", str(tmp_path / "empty")])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "does not contain the CIFAR-10 batch files" in err and "data_batch_5" in err


# ## Command line

def test_help_lists_options_with_defaults(capsys):
    with pytest.raises(SystemExit) as e:
        conv_mixer_experiment.main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for text in ("--epochs", "--kernel-size", "--dataset {digits,cifar10}", "--resume", "default: 15",
                 "--no-progress"):
        assert text in out


@pytest.mark.parametrize("argv, message", [
    (["--epoch", "3"], "unrecognized arguments: --epoch 3"),
    (["--epochs", "three"], "invalid int value: 'three'"),
    (["--lr", "fast"], "invalid float value"),
    (["--mixer", "rnn"], "invalid choice: 'rnn'"),
])
def test_bad_options_exit_2_listing_valid_options(argv, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as e:
        mlm_experiment.main([*argv, "--runs-dir", str(tmp_path)])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "valid options:" in err and "--d-model" in err and "--epochs" in err
    assert not list(tmp_path.iterdir())


# ## Checkpoints, resume and Ctrl-C

def test_corrupt_checkpoint_is_a_clear_error_and_leaves_no_run_dir(tmp_path, capsys):
    bad = tmp_path / "checkpoint.pt"
    bad.write_bytes(b"\x80\x02 this is not a checkpoint")
    runs = tmp_path / "runs"
    with pytest.raises(SystemExit) as e:
        vit_experiment.main(["--resume", str(bad), "--runs-dir", str(runs)])
    assert e.value.code == 2
    assert "not a readable checkpoint" in capsys.readouterr().err
    assert not runs.exists()
    # A checkpoint of another experiment is refused too
    good_runs = tmp_path / "good"
    conv_mixer_experiment.main(tiny_args("conv_mixer", good_runs, Path()) + ["--epochs", "1"])
    (ckpt,) = good_runs.glob("conv_mixer/*/checkpoint.pt")
    with pytest.raises(SystemExit):
        vit_experiment.main(["--resume", str(ckpt), "--runs-dir", str(runs)])
    assert "a checkpoint of 'conv_mixer'" in capsys.readouterr().err
    assert not runs.exists()


def test_resume_continues_from_saved_step(tmp_path, text_file):
    args = tiny_args("vit", tmp_path, text_file, "--epochs", "2")
    first = vit_experiment.main(args)
    (run_dir,) = (tmp_path / "vit").iterdir()
    steps_per_epoch = first[0]["step"]
    resumed = vit_experiment.main(["--resume", str(run_dir / "checkpoint.pt"), "--epochs", "3",
                                   "--runs-dir", str(tmp_path)])
    # The history of the first run is carried over and one more epoch is added at the next step
    assert resumed[:2] == first
    assert resumed[2]["epoch"] == 3 and resumed[2]["step"] == 3 * steps_per_epoch
    new_dir = max((tmp_path / "vit").iterdir(), key=lambda p: p.stat().st_mtime_ns)
    assert new_dir != run_dir and len(read_jsonl(new_dir / "metrics.jsonl")) == 3
    # The resumed configuration keeps the first run's model settings
    assert json.loads((new_dir / "config.json").read_text())["d_model"] == 16


def test_ctrl_c_keeps_last_epoch_and_resume_matches_uninterrupted_run(tmp_path, text_file):
    epochs = ["--epochs", "12"]
    runs = tmp_path / "interrupted"
    args = tiny_args("mlp_mixer", runs, text_file, *epochs)

    # Press Ctrl-C (a real SIGINT-style interrupt of the main thread) once the first epoch is on disk
    def interrupt_after_first_epoch():
        deadline = time.time() + 60
        while time.time() < deadline:
            files = list(runs.glob("mlp_mixer/*/metrics.jsonl"))
            if files and files[0].read_text().strip():
                _thread.interrupt_main()
                return
            time.sleep(0.002)

    watcher = threading.Thread(target=interrupt_after_first_epoch, daemon=True)
    watcher.start()
    with pytest.raises(SystemExit) as e:
        mlp_mixer_experiment.main(args)
    watcher.join()
    assert e.value.code == 130
    (run_dir,) = (runs / "mlp_mixer").iterdir()
    rows = read_jsonl(run_dir / "metrics.jsonl")
    assert 1 <= len(rows) < 12
    with open(run_dir / "metrics.csv") as f:
        assert len(list(csv.DictReader(f))) == len(rows)
    ckpt = torch.load(run_dir / "checkpoint.pt", weights_only=True)
    assert ckpt["epoch"] == len(rows) and ckpt["history"] == rows
    assert (run_dir / "plot.png").exists()

    # Resuming finishes the run exactly as if it had never stopped
    resumed = mlp_mixer_experiment.main(["--resume", str(run_dir / "checkpoint.pt"), "--runs-dir", str(runs)])
    assert resumed[len(rows)]["step"] == (len(rows) + 1) * rows[0]["step"]
    full = mlp_mixer_experiment.main(tiny_args("mlp_mixer", tmp_path / "full", text_file, *epochs))
    assert len(resumed) == len(full) == 12
    assert resumed[-1]["val_loss"] == pytest.approx(full[-1]["val_loss"], rel=1e-4)
    assert resumed[-1]["val_accuracy"] == pytest.approx(full[-1]["val_accuracy"], abs=1e-9)


# ## torchrun

def test_torchrun_two_processes_agrees_with_single_process(tmp_path, text_file):
    args = tiny_args("vit", tmp_path / "single", text_file, "--epochs", "2", "--seed", "1")
    single = vit_experiment.main(args)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         "-m", "labml_nn.transformers.vit.experiment",
         *tiny_args("vit", tmp_path / "ddp", text_file, "--epochs", "2", "--seed", "1")],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    # Only rank 0 writes: exactly one run directory
    (run_dir,) = (tmp_path / "ddp" / "vit").iterdir()
    ddp = read_jsonl(run_dir / "metrics.jsonl")
    assert [r["step"] for r in ddp] == [r["step"] for r in single]
    for a, b in zip(ddp, single, strict=True):
        assert a["val_loss"] == pytest.approx(b["val_loss"], rel=1e-3)
        assert a["val_accuracy"] == pytest.approx(b["val_accuracy"], abs=2 / 360)
        assert a["train_loss"] == pytest.approx(b["train_loss"], rel=1e-3)


@pytest.mark.parametrize(("body", "world", "code", "stderr"), [
    ("print('done', end='')", "1", 0, ""),
    ("raise SystemExit(2)", "1", 2, ""),
    ("print('done', end='')", "2", 0, ""),
    ("raise SystemExit(130)", "2", 130, ""),
    ("raise SystemExit('bad input')", "2", 1, "bad input"),
])
def test_run_as_program_exit_codes(body, world, code, stderr):
    """A torchrun worker leaves through `os._exit`: same exit code as a normal exit, and no output lost."""
    script = ("import sys\nfrom labml_nn.experiments.trainer import run_as_program\n"
              f"def main(argv):\n    assert argv == ['--x']\n    {body}\nrun_as_program(main)\n")
    result = subprocess.run([sys.executable, "-c", script, "--x"], capture_output=True, text=True,
                            env={**os.environ, "WORLD_SIZE": world}, timeout=120)
    assert result.returncode == code, result.stderr
    assert result.stdout == ("done" if "print" in body else "")
    assert result.stderr.strip() == stderr
