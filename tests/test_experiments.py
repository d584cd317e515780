"""Tests of the runnable experiments: short real runs with tiny configurations.

Every run here is a real training run (real models, real data, real files); configurations are
shrunk so the whole file finishes in well under a minute on two CPU cores.
"""

from __future__ import annotations

import _thread
import csv
import importlib
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
from labml_nn.experiments import trainer
from labml_nn.experiments.data import (
    ByteTokenizer,
    DataError,
    MaskedTextDataset,
    load_cifar10,
    unigram_baseline,
)
from labml_nn.transformers.gmlp import experiment as gmlp_experiment
from labml_nn.transformers.mlm import MaskedLanguageModel
from labml_nn.transformers.mlm import experiment as mlm_experiment
from labml_nn.transformers.mlp_mixer import experiment as mlp_mixer_experiment
from labml_nn.transformers.poolformer import experiment as poolformer_experiment
from labml_nn.transformers.resmlp import experiment as resmlp_experiment
from labml_nn.transformers.token_mixers import experiment as token_mixers_experiment
from labml_nn.transformers.vit import experiment as vit_experiment

ROOT = Path(__file__).resolve().parents[1]

# Tiny models: a few thousand parameters, a few steps per epoch
TINY = {
    "mlp_mixer": (mlp_mixer_experiment, ["--d-model", "16", "--n-layers", "1", "--token-mlp-dim", "8",
                                         "--channel-mlp-dim", "16"]),
    "conv_mixer": (conv_mixer_experiment, ["--dim", "16", "--depth", "1"]),
    "vit": (vit_experiment, ["--d-model", "16", "--n-layers", "1", "--n-heads", "2", "--d-ff", "32"]),
    "gmlp": (gmlp_experiment, ["--d-model", "16", "--n-layers", "1", "--d-ffn", "32"]),
    "resmlp": (resmlp_experiment, ["--d-model", "16", "--n-layers", "2"]),
    "poolformer": (poolformer_experiment, ["--layers", "1,1", "--dims", "8,16"]),
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
    # Throughput: images per second for the vision models, tokens per second for the MLM
    unit = "tokens" if name == "mlm" else "images"
    assert all(row[f"train_{unit}_per_s"] > 0 for row in history)
    config = json.loads((run_dir / "config.json").read_text())
    assert config["epochs"] == 3 and config["experiment"] == name
    ckpt = torch.load(run_dir / "checkpoint.pt", weights_only=True)
    assert ckpt["epoch"] == 3 and ckpt["step"] == history[-1]["step"]
    assert not list(run_dir.glob("*.tmp"))


def test_mlm_beats_the_context_free_baseline(tmp_path, text_file):
    """
    A small MLM trained for a few hundred steps predicts masked bytes far better than the best model
    that sees only the masked position itself; the baselines are constant and below a uniform guess.
    """
    history = mlm_experiment.main([
        "--text-file", str(text_file), "--seq-len", "16", "--d-model", "64", "--d-ff", "128", "--n-layers", "1",
        "--n-heads", "2", "--batch-size", "16", "--epochs", "10", "--lr", "3e-3", "--no-progress",
        # One thread: the same numbers everywhere, and no thread thrashing on a busy machine
        "--deterministic", "--runs-dir", str(tmp_path)])
    last = history[-1]
    assert 0 < last["context_free_loss"] < last["unigram_loss"] < np.log(256)
    assert len({(row["unigram_loss"], row["context_free_loss"]) for row in history}) == 1
    assert last["val_loss"] < last["context_free_loss"] - 0.3


def test_mlm_matched_budget_gives_every_mixer_the_parameters_of_attention():
    """MATCHED_D_FF sizes the four mixers to within 0.2% of the default attention model, with the exact counts
    the experiment page's table states."""
    config = mlm_experiment.Config()
    counts = {mixer: token_mixers_experiment.mlm_params({**vars(config), "mixer": mixer, "d_ff": d_ff})
              for mixer, d_ff in mlm_experiment.MATCHED_D_FF.items()}
    assert mlm_experiment.MATCHED_D_FF["attention"] == config.d_ff
    assert counts == {"attention": 335_618, "mlp_mixer": 335_810, "fnet": 335_106, "gmlp": 335_610}  # within 0.2%
    page = Path(mlm_experiment.__file__).read_text()
    assert all(f"{n:,}" in page for n in counts.values())


def test_mlm_validation_windows_never_appear_in_the_training_text():
    pytest.importorskip("site_builder.parser")
    config = mlm_experiment.Config()
    experiment = mlm_experiment.build(config, trainer.Dist())
    train_bytes = bytes(experiment.train_set.tokens.tolist())
    val = experiment.val_set
    windows = [bytes(val.tokens[s: s + val.seq_len].tolist()) for s in val.starts]
    assert len(windows) > 100
    assert not [w for w in windows if w in train_bytes]


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
    assert "a checkpoint of a 'conv_mixer' model, not of 'vit'" in capsys.readouterr().err
    assert not runs.exists()


def interrupt_after(monkeypatch, epoch: int):
    """Press Ctrl-C right after the checkpoint of `epoch` is written (deterministic, unlike a timer)."""
    save = trainer.save_checkpoint

    def save_then_interrupt(path, config, kind, model, optimizer, scaler, saved_epoch, *args):
        save(path, config, kind, model, optimizer, scaler, saved_epoch, *args)
        if saved_epoch == epoch:
            raise KeyboardInterrupt

    monkeypatch.setattr(trainer, "save_checkpoint", save_then_interrupt)


def test_resume_after_experiment_name_finishes_the_schedule_it_started(tmp_path, text_file, monkeypatch):
    args = tiny_args("vit", tmp_path, text_file, "--experiment", "ablation", "--epochs", "3")
    with monkeypatch.context() as m:
        interrupt_after(m, 1)
        with pytest.raises(SystemExit) as e:
            vit_experiment.main(args)
    assert e.value.code == 130
    (run_dir,) = (tmp_path / "ablation").iterdir()
    # The same --experiment again (the issue: it was refused as "not a checkpoint of 'vit'")
    resumed = vit_experiment.main(["--resume", str(run_dir / "checkpoint.pt"), "--experiment", "ablation",
                                   "--runs-dir", str(tmp_path), "--no-progress"])
    assert [row["epoch"] for row in resumed] == [1, 2, 3]
    assert len(list((tmp_path / "ablation").iterdir())) == 2
    # The learning rate follows the schedule of the uninterrupted run, epoch by epoch
    full = vit_experiment.main(tiny_args("vit", tmp_path / "full", text_file, "--epochs", "3"))
    assert [row["lr"] for row in resumed] == pytest.approx([row["lr"] for row in full], rel=1e-12)
    assert resumed[-1]["val_loss"] == pytest.approx(full[-1]["val_loss"], rel=1e-4)


def test_resume_refuses_changed_settings_and_finished_runs(tmp_path, text_file, capsys):
    vit_experiment.main(tiny_args("vit", tmp_path, text_file, "--epochs", "1"))
    (run_dir,) = (tmp_path / "vit").iterdir()
    ckpt = str(run_dir / "checkpoint.pt")
    capsys.readouterr()
    cases = [(["--epochs", "3"], "error: --epochs 3: a resumed run keeps the settings it started with"),
             (["--lr", "0.1"], "error: --lr 0.1: a resumed run keeps"),
             ([], "the run already finished its 1 epochs")]
    for argv, message in cases:
        with pytest.raises(SystemExit) as e:
            vit_experiment.main(["--resume", ckpt, *argv, "--runs-dir", str(tmp_path)])
        assert e.value.code == 2
        err = capsys.readouterr().err
        assert message in err and f"--init-from {ckpt}" in err and len(err.splitlines()) == 1
        # No new, empty run folder
        assert list((tmp_path / "vit").iterdir()) == [run_dir]


def test_init_from_starts_a_new_run_from_the_weights(tmp_path, text_file, capsys):
    first = vit_experiment.main(tiny_args("vit", tmp_path, text_file, "--epochs", "2"))
    (ckpt,) = (tmp_path / "vit").glob("*/checkpoint.pt")
    # A tiny learning rate leaves the loaded weights almost as they were: the first epoch of the new run
    # validates like the last epoch of the old one
    more = vit_experiment.main(tiny_args("vit", tmp_path / "more", text_file, "--epochs", "2",
                                         "--init-from", str(ckpt), "--lr", "1e-9"))
    assert [row["epoch"] for row in more] == [1, 2] and more[0]["step"] == first[0]["step"]
    assert more[0]["val_loss"] == pytest.approx(first[-1]["val_loss"], rel=1e-3)
    # Weights of another shape are refused before a run folder is made
    with pytest.raises(SystemExit) as e:
        vit_experiment.main(tiny_args("vit", tmp_path / "bad", text_file, "--init-from", str(ckpt),
                                      "--d-model", "32"))
    assert e.value.code == 2
    assert "does not fit this model" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


# Every option that cannot work, with the one-line message it gets
BAD_OPTIONS = [
    ("conv_mixer", ["--kernel-size", "0"], "--kernel-size 0: must be at least 1"),
    ("conv_mixer", ["--patch-size", "3"], "--patch-size 3: must divide the side of the 8x8 images"),
    ("vit", ["--patch-size", "3"], "--patch-size 3: must divide the side of the 8x8 images"),
    ("mlp_mixer", ["--patch-size", "16"], "--patch-size 16: must divide the side of the 8x8 images"),
    ("vit", ["--n-heads", "5"], "--n-heads 5: must divide --d-model 64"),
    ("mlm", ["--n-heads", "5"], "--n-heads 5: must divide --d-model 128"),
    ("vit", ["--lr", "-1"], "--lr -1.0: must be greater than 0"),
    ("mlm", ["--seq-len", "0"], "--seq-len 0: must be at least 1"),
    ("mlp_mixer", ["--warmup", "5"], "--warmup 5.0: must be in [0, 1)"),
    ("conv_mixer", ["--epochs", "0"], "--epochs 0: must be at least 1"),
    ("vit", ["--batch-size", "0"], "--batch-size 0: must be at least 1"),
    ("vit", ["--dropout", "1"], "--dropout 1.0: must be in [0, 1)"),
    ("vit", ["--label-smoothing", "-0.1"], "--label-smoothing -0.1: must be in [0, 1)"),
    ("mlm", ["--val-fraction", "1"], "--val-fraction 1.0: must be in (0, 1)"),
    ("vit", ["--device", "tpu"], "--device tpu: must be auto, cpu, cuda or cuda:N"),
    ("vit", ["--amp", "--amp-dtype", "fp16", "--device", "cpu"], "--amp-dtype fp16: float16 autocast needs CUDA"),
    ("vit", ["--experiment", "../elsewhere"], "--experiment '../elsewhere': must be a plain folder name"),
    ("vit", ["--resume", "a.pt", "--init-from", "b.pt"], "--init-from: cannot be combined with --resume"),
]
if not torch.cuda.is_available():
    BAD_OPTIONS.append(("vit", ["--device", "cuda"], "--device cuda: CUDA is not available on this machine"))


@pytest.mark.parametrize(("name", "argv", "message"), BAD_OPTIONS, ids=lambda v: " ".join(v) if isinstance(v, list)
                         else None)
def test_bad_option_exits_2_with_one_line_before_any_run_folder(name, argv, message, tmp_path, capsys):
    module, _ = TINY[name]
    with pytest.raises(SystemExit) as e:
        module.main([*argv, "--runs-dir", str(tmp_path / "runs")])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err == f"error: {message}" + err.removeprefix(f"error: {message}")
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "runs").exists()


def without_timing(history: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "seconds" and not k.endswith("_per_s")} for row in history]


def test_deterministic_mode_gives_identical_numbers_with_1_and_2_threads(tmp_path, text_file):
    saved = torch.get_num_threads()
    runs = []
    try:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            history = vit_experiment.main(tiny_args("vit", tmp_path / str(threads), text_file, "--epochs", "2",
                                                    "--deterministic"))
            # The run's settings are undone afterwards
            assert torch.get_num_threads() == threads
            assert not torch.are_deterministic_algorithms_enabled()
            runs.append(without_timing(history))
    finally:
        torch.set_num_threads(saved)
    assert runs[0] == runs[1]


def test_data_loader_workers_give_the_same_numbers(tmp_path, text_file):
    """Masks depend on (seed, epoch, sample) only, so worker processes, re-created each epoch, see the epoch."""
    runs = [without_timing(mlm_experiment.main(tiny_args("mlm", tmp_path / str(w), text_file, "--epochs", "2",
                                                         "--workers", str(w), "--deterministic")))
            for w in (0, 1)]
    assert runs[0] == runs[1]


def test_amp_bf16_on_the_cpu_trains(tmp_path, text_file):
    from labml_nn.experiments.trainer import autocast_dtype

    config = vit_experiment.Config(amp=True)
    assert autocast_dtype(config, torch.device("cpu")) == torch.bfloat16
    assert autocast_dtype(vit_experiment.Config(), torch.device("cpu")) is None
    history = vit_experiment.main(tiny_args("vit", tmp_path, text_file, "--amp", "--deterministic"))
    assert all(np.isfinite(row["train_loss"]) for row in history)
    assert history[-1]["train_loss"] < history[0]["train_loss"]


def test_compile_trains_the_compiled_module_and_saves_plain_weights(tmp_path, text_file, monkeypatch):
    # Inductor takes a minute to compile on a small CPU; Dynamo with the eager backend checks the wiring
    compiled = []
    real_compile = torch.compile

    def eager_compile(module, **kwargs):
        compiled.append(module)
        return real_compile(module, backend="eager")

    monkeypatch.setattr(torch, "compile", eager_compile)
    history = mlp_mixer_experiment.main(tiny_args("mlp_mixer", tmp_path, text_file, "--epochs", "1", "--compile"))
    assert compiled and len(history) == 1
    (ckpt,) = (tmp_path / "mlp_mixer").glob("*/checkpoint.pt")
    keys = torch.load(ckpt, weights_only=True)["model"]
    assert not any(k.startswith("_orig_mod") for k in keys)


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


# ## Token mixers compared

def test_token_mixers_quick_compares_every_vision_model(tmp_path):
    """--quick trains each model once, briefly, and writes the table, the JSON and the plot."""
    rows = token_mixers_experiment.main(["--quick", "--runs-dir", str(tmp_path)])
    assert [r["model"] for r in rows] == list(token_mixers_experiment.MODELS)
    # A matched budget: every model within 15% of the mean parameter count
    mean = sum(r["params"] for r in rows) / len(rows)
    assert all(abs(r["params"] - mean) / mean < 0.15 for r in rows)
    assert all(r["flops"] > 0 and r["throughput"] > 0 and len(r["accuracies"]) == 1 for r in rows)
    (out,) = (tmp_path / "token_mixers").iterdir()
    assert "| gMLP |" in (out / "results.md").read_text()
    assert json.loads((out / "results.json").read_text())["rows"][0]["model"] == "MLP-Mixer"
    assert (out / "comparison.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_token_mixers_compare_on_cifar10_from_data_dir(tmp_path):
    """`--dataset cifar10 --data-dir PATH` reads the python-pickle layout (here a tiny fabricated copy) and sizes
    every model for 32x32 colour images within one budget; a run trains on those images."""
    root = write_cifar(tmp_path / "data", n=16)
    counts = {}
    for name, (module_name, _) in token_mixers_experiment.MODELS.items():
        module = importlib.import_module(module_name)
        counts[name], flops = token_mixers_experiment.size(
            module, token_mixers_experiment.sizes_for(name, "cifar10"), "cifar10", str(root))
        # The digits sizes would not fit: the models' token mixers grow with the number of tokens
        assert flops > token_mixers_experiment.size(module, token_mixers_experiment.MODELS[name][1], "digits",
                                                    None)[1]
    mean = sum(counts.values()) / len(counts)
    assert all(abs(n - mean) / mean < 0.15 for n in counts.values()), counts
    rows = token_mixers_experiment.main(["--quick", "--dataset", "cifar10", "--data-dir", str(root),
                                         "--models", "ResMLP,PoolFormer", "--runs-dir", str(tmp_path / "runs")])
    assert [(r["model"], r["params"]) for r in rows] == [(n, counts[n]) for n in ("ResMLP", "PoolFormer")]
    # Each model's run was configured for CIFAR-10 from that folder, with the CIFAR-10 sizes
    (run,) = (tmp_path / "runs" / "token_mixers").iterdir()
    configs = [json.loads(p.read_text()) for p in run.rglob("config.json")]
    assert len(configs) == 2 and all(c["dataset"] == "cifar10" and c["data_dir"] == str(root) for c in configs)
    assert {c["patch_size"] for c in configs} == {4}


def test_token_mixers_mlm_quick_compares_every_mixer(tmp_path):
    """`--task mlm --quick` trains each MLM mixer once, deterministically, at its matched `--d-ff`, through the
    MLM experiment, and writes the table, the JSON and the plot."""
    rows = token_mixers_experiment.main(["--task", "mlm", "--quick", "--runs-dir", str(tmp_path)])
    assert [(r["mixer"], r["d_ff"]) for r in rows] == list(mlm_experiment.MATCHED_D_FF.items())
    # One budget: every mixer within 0.2% of the default attention model's 335,618 parameters
    assert [r["params"] for r in rows] == [335_618, 335_810, 335_106, 335_610]
    assert all(r["seeds"] == [0] and r["loss_std"] == 0 and len(r["curve"]) == 1 for r in rows)
    (out,) = (tmp_path / "token_mixers_mlm").iterdir()
    configs = [json.loads(p.read_text()) for p in (out / "runs").rglob("config.json")]
    assert sorted((c["mixer"], c["d_ff"], c["deterministic"], c["epochs"]) for c in configs) == sorted(
        (m, d, True, 1) for m, d in mlm_experiment.MATCHED_D_FF.items())
    assert "| `gmlp` | 686 | 335,610 |" in (out / "results.md").read_text()
    assert json.loads((out / "results.json").read_text())["rows"][0]["mixer"] == "attention"
    assert (out / "comparison.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def write_mlm_run(folder: Path, mixer: str, seed: int, val_losses: list[float], val_accuracy: float,
                  epochs: int | None = None):
    """A finished (or, with `epochs` above the metrics' length, interrupted) MLM run as the trainer writes it."""
    folder.mkdir(parents=True)
    config = {"experiment": "mlm", "epochs": epochs or len(val_losses), "seed": seed, "mixer": mixer,
              "seq_len": 8, "d_model": 16, "n_layers": 1, "n_heads": 2, "d_ff": 32}
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "metrics.jsonl").write_text("".join(json.dumps(
        {"epoch": i + 1, "val_loss": loss, "val_accuracy": val_accuracy, "unigram_loss": 3.5,
         "context_free_loss": 3.25, "train_tokens_per_s": 1000.0 * (seed + 1)}) + "\n"
        for i, loss in enumerate(val_losses)))


def test_token_mixers_mlm_from_runs_tabulates_without_training(tmp_path):
    """`--from-runs DIR` groups finished runs by mixer, leaves out an interrupted one and other experiments,
    and writes mean ± std over the seeds (sample standard deviation) and the plot."""
    runs = tmp_path / "finished" / "mlm"
    write_mlm_run(runs / "a", "gmlp", 1, [3.0, 1.5], 0.60)
    write_mlm_run(runs / "b", "attention", 0, [3.2, 2.0], 0.40)
    write_mlm_run(runs / "c", "attention", 1, [3.0, 1.0], 0.50)
    write_mlm_run(runs / "d", "attention", 2, [3.1], 0.10, epochs=2)
    (tmp_path / "finished" / "vit" / "e").mkdir(parents=True)
    (tmp_path / "finished" / "vit" / "e" / "config.json").write_text(json.dumps({"epochs": 1}))
    (tmp_path / "finished" / "vit" / "e" / "metrics.jsonl").write_text(json.dumps({"val_loss": 1.0}) + "\n")
    rows = token_mixers_experiment.main(["--task", "mlm", "--from-runs", str(tmp_path / "finished"),
                                         "--runs-dir", str(tmp_path / "out")])
    attention, gmlp = rows
    assert attention["mixer"] == "attention" and attention["seeds"] == [0, 1]
    assert attention["loss_mean"] == pytest.approx(1.5) and attention["loss_std"] == pytest.approx(0.5 ** 0.5)
    # Per epoch: mean and standard deviation of the seeds' validation losses
    assert attention["curve"] == [pytest.approx((3.1, 0.02 ** 0.5)), pytest.approx((1.5, 0.5 ** 0.5))]
    assert attention["tokens_per_s"] == 1500
    assert gmlp["mixer"] == "gmlp" and gmlp["loss_std"] == 0
    params = {m: sum(p.numel() for p in MaskedLanguageModel(vocab_size=258, seq_len=8, d_model=16, n_layers=1,
                                                            n_heads=2, d_ff=32, mixer=m).parameters())
              for m in ("attention", "gmlp")}  # (built here, not by the experiment's `mlm_params`, to check it)
    assert (attention["params"], gmlp["params"]) == (params["attention"], params["gmlp"])
    (out,) = (tmp_path / "out" / "token_mixers_mlm").iterdir()
    text = (out / "results.md").read_text()
    assert f"| `attention` | 32 | {params['attention']:,} | 1.500 ± 0.707 | 45.0% ± 7.1% | 1,500 |" in text
    assert f"| `gmlp` | 32 | {params['gmlp']:,} | 1.500 ± 0.000 | 60.0% ± 0.0% | 2,000 |" in text
    assert "context-free 3.250, unigram 3.500" in text
    assert (out / "comparison.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Nothing to read, or --from-runs without --task mlm, is an error before anything is written
    with pytest.raises(SystemExit, match="no finished MLM runs"):
        token_mixers_experiment.main(["--task", "mlm", "--from-runs", str(tmp_path / "none"),
                                      "--runs-dir", str(tmp_path / "out2")])
    assert not (tmp_path / "out2").exists()
    with pytest.raises(SystemExit) as e:
        token_mixers_experiment.main(["--from-runs", str(tmp_path / "finished"), "--runs-dir", str(tmp_path / "out3")])
    assert e.value.code == 2 and not (tmp_path / "out3").exists()


def test_token_mixers_mlm_refuses_runs_it_cannot_average_and_options_it_would_ignore(tmp_path):
    """A leftover run of another length beside a mixer's seeds, or mixers trained on different text, are refused
    with the options that differ; so are options `--task mlm` or `--from-runs` would not use. Nothing is written."""
    runs = tmp_path / "runs"
    write_mlm_run(runs / "a", "attention", 0, [3.2, 2.0], 0.40)
    write_mlm_run(runs / "b", "attention", 1, [3.0], 0.50)
    with pytest.raises(SystemExit, match=r"the runs of attention differ in --epochs: 1, 2"):
        token_mixers_experiment.main(["--task", "mlm", "--from-runs", str(runs), "--runs-dir", str(tmp_path / "o")])
    other_text = tmp_path / "other"
    write_mlm_run(other_text / "a", "attention", 0, [3.2, 2.0], 0.40)
    write_mlm_run(other_text / "b", "gmlp", 0, [3.0, 1.5], 0.60)
    config = json.loads((other_text / "b" / "config.json").read_text())
    (other_text / "b" / "config.json").write_text(json.dumps({**config, "seq_len": 16}))
    with pytest.raises(SystemExit, match=r"the mixers' runs differ in --seq-len: 16, 8"):
        token_mixers_experiment.main(["--task", "mlm", "--from-runs", str(other_text), "--runs-dir",
                                      str(tmp_path / "o")])
    for argv in (["--task", "mlm", "--dataset", "cifar10"], ["--task", "mlm", "--from-runs", str(runs), "--quick"],
                 ["--task", "mlm", "--from-runs", str(runs), "--seeds", "2"], ["--seeds", "0"]):
        with pytest.raises(SystemExit) as e:
            token_mixers_experiment.main(argv + ["--runs-dir", str(tmp_path / "o")])
        assert e.value.code == 2
    assert not (tmp_path / "o").exists()


def test_poolformer_and_gmlp_reject_bad_shapes(capsys, tmp_path):
    for module, argv in ((poolformer_experiment, ["--layers", "1,1", "--dims", "8"]),
                         (poolformer_experiment, ["--pool-size", "2"]),
                         (gmlp_experiment, ["--d-ffn", "33"])):
        with pytest.raises(SystemExit) as e:
            module.main([*argv, "--runs-dir", str(tmp_path)])
        assert e.value.code == 2
    assert not list(tmp_path.iterdir())
