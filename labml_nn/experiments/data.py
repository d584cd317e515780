r"""
---
title: Datasets for the experiments
summary: Bundled handwritten digits, CIFAR-10 from its pickle files, and byte-level text for the MLM.
---

# Datasets

Every experiment runs with no download. The vision experiments default to the
[handwritten digits](https://scikit-learn.org/stable/datasets/toy_dataset.html#optical-recognition-of-handwritten-digits-dataset)
that ship inside scikit-learn: 1,797 grey-scale images of $8 \times 8$ pixels, ten classes.
Small enough to train a Transformer on a laptop CPU in well under a minute, and hard enough that a broken
model shows.

For real benchmarks `--dataset cifar10 --data-dir PATH` reads
[CIFAR-10](https://www.cs.toronto.edu/~kriz/cifar.html) in its standard python-pickle layout.

The masked language model reads text. By default that is the English notes of this very repository:
the same parser that builds the website extracts every markdown note from the annotated sources,
so the model learns to fill in blanks in the text you are reading. `--text-file` uses any UTF-8 file instead.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import Dataset, TensorDataset


class DataError(Exception):
    """
    A dataset that cannot be loaded because of the user's input (a wrong path, an empty file).
    The trainer prints the message and exits with code 2, without a traceback.
    """


@dataclass
class VisionData:
    """
    Train and validation sets of `(image, label)` pairs, with images as `[C, H, W]` float tensors,
    and the shapes a model needs to be built.
    """

    train: Dataset
    val: Dataset
    image_size: int
    in_channels: int
    n_classes: int


# The train/validation split of the digits is fixed: it does not change with `--seed`,
# so runs with different seeds are evaluated on the same images.
SPLIT_SEED = 0


def _standardize(train_x: torch.Tensor, val_x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """
    Scale each channel to zero mean and unit variance, using statistics of the training images only.
    `train_x` and `val_x` are `[N, C, H, W]`.
    """
    mean = train_x.mean(dim=(0, 2, 3), keepdim=True)
    std = train_x.std(dim=(0, 2, 3), keepdim=True)
    return (train_x - mean) / std, (val_x - mean) / std


def load_digits(val_fraction: float = 0.2) -> VisionData:
    """
    ## Handwritten digits

    `sklearn.datasets.load_digits` returns `[1797, 64]` pixel intensities from 0 to 16.
    We reshape them to `[1797, 1, 8, 8]` images and hold out a fifth (360 images) for validation.
    """
    from sklearn.datasets import load_digits as sklearn_digits

    digits = sklearn_digits()
    x = torch.tensor(digits.data, dtype=torch.float32).view(-1, 1, 8, 8) / 16.0
    y = torch.tensor(digits.target, dtype=torch.long)
    # A fixed permutation, then the first `n_val` images are the validation set
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(SPLIT_SEED))
    n_val = int(len(x) * val_fraction)
    val_idx, train_idx = order[:n_val], order[n_val:]
    train_x, val_x = _standardize(x[train_idx], x[val_idx])
    return VisionData(TensorDataset(train_x, y[train_idx]), TensorDataset(val_x, y[val_idx]),
                      image_size=8, in_channels=1, n_classes=10)


# What we tell the user when CIFAR-10 is not where they said it is.
CIFAR10_LAYOUT = """\
expected the CIFAR-10 python version (cifar-10-python.tar.gz, extracted):
  {root}/cifar-10-batches-py/data_batch_1
  {root}/cifar-10-batches-py/data_batch_2
  {root}/cifar-10-batches-py/data_batch_3
  {root}/cifar-10-batches-py/data_batch_4
  {root}/cifar-10-batches-py/data_batch_5
  {root}/cifar-10-batches-py/test_batch
(--data-dir may also point at the cifar-10-batches-py folder itself)"""

CIFAR10_TRAIN_FILES = [f"data_batch_{i}" for i in range(1, 6)]
CIFAR10_TEST_FILE = "test_batch"


def _cifar_folder(data_dir: str | Path | None) -> Path:
    """Find the folder that holds the batch files, or explain the expected layout."""
    if not data_dir:
        raise DataError("--dataset cifar10 needs --data-dir PATH\n" + CIFAR10_LAYOUT.format(root="PATH"))
    root = Path(data_dir)
    for folder in (root / "cifar-10-batches-py", root):
        if all((folder / name).is_file() for name in [*CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE]):
            return folder
    missing = "does not exist" if not root.exists() else "does not contain the CIFAR-10 batch files"
    raise DataError(f"CIFAR-10 not found: {root} {missing}\n" + CIFAR10_LAYOUT.format(root=root))


def _read_cifar_batch(path: Path) -> tuple[torch.Tensor, torch.Tensor]:
    r"""
    One pickle file of the python version of CIFAR-10 is a dictionary with byte-string keys:
    `b"data"`, a `uint8` array of shape `[N, 3072]` (1,024 red, then green, then blue values of a
    $32 \times 32$ image, row by row), and `b"labels"`, a list of $N$ integers in $[0, 10)$.
    Returns images `[N, 3, 32, 32]` (`uint8`) and labels `[N]`.
    """
    try:
        with open(path, "rb") as f:
            batch = pickle.load(f, encoding="bytes")
        data = torch.as_tensor(batch[b"data"], dtype=torch.uint8).view(-1, 3, 32, 32)
        labels = torch.as_tensor(list(batch[b"labels"]), dtype=torch.long)
    except (pickle.UnpicklingError, EOFError, KeyError, TypeError, ValueError, RuntimeError) as e:
        raise DataError(f"{path} is not a CIFAR-10 python batch file ({type(e).__name__}: {e})") from None
    if len(data) != len(labels):
        raise DataError(f"{path}: {len(data)} images but {len(labels)} labels")
    return data, labels


def load_cifar10(data_dir: str | Path | None) -> VisionData:
    """
    ## CIFAR-10

    The five `data_batch_*` files (50,000 images) are the training set and `test_batch`
    (10,000 images) is the validation set.
    """
    folder = _cifar_folder(data_dir)
    parts = [_read_cifar_batch(folder / name) for name in CIFAR10_TRAIN_FILES]
    train_x = torch.cat([p[0] for p in parts]).float() / 255.0
    train_y = torch.cat([p[1] for p in parts])
    val_x, val_y = _read_cifar_batch(folder / CIFAR10_TEST_FILE)
    train_x, val_x = _standardize(train_x, val_x.float() / 255.0)
    return VisionData(TensorDataset(train_x, train_y), TensorDataset(val_x, val_y),
                      image_size=32, in_channels=3, n_classes=10)


# The image side of each dataset, so options can be checked before anything is loaded
IMAGE_SIDES = {"digits": 8, "cifar10": 32}


def load_vision(name: str, data_dir: str | None) -> VisionData:
    """The dataset named by `--dataset`."""
    if name == "digits":
        return load_digits()
    if name == "cifar10":
        return load_cifar10(data_dir)
    raise DataError(f"unknown dataset {name!r}; choose digits or cifar10")


# ## Text

class ByteTokenizer:
    r"""
    ### Byte-level tokenizer

    Text is encoded as UTF-8 and every byte is a token: ids $0 \dots 255$.
    Two more ids follow: `[PAD]` $= 256$ and `[MASK]` $= 257$.
    No vocabulary to build or store, and any file can be read; a character outside ASCII simply
    takes two to four tokens.
    """

    pad_id = 256
    mask_id = 257
    vocab_size = 258

    def encode(self, text: str) -> torch.Tensor:
        return torch.tensor(list(text.encode("utf-8")), dtype=torch.long)

    def decode(self, ids: torch.Tensor | list[int]) -> str:
        ids = ids.tolist() if isinstance(ids, torch.Tensor) else ids
        # Special tokens are shown by name; invalid UTF-8 (a cut multi-byte character) is replaced
        out, chunk = [], []
        for i in ids:
            if i < 256:
                chunk.append(i)
                continue
            out.append(bytes(chunk).decode("utf-8", errors="replace"))
            chunk = []
            out.append("[PAD]" if i == self.pad_id else "[MASK]")
        out.append(bytes(chunk).decode("utf-8", errors="replace"))
        return "".join(out)


def repository_notes(root: Path | None = None) -> str:
    """
    ### The notes of this repository

    Every annotated `.py` file under `labml_nn/` is parsed by the site's own parser,
    `site_builder.parser.parse_file`, and the markdown notes of its rows are joined with blank lines.
    Files are read in sorted order so the text, and the split below, is the same on every machine.
    A note that appears several times (the same sentence on several pages) is kept once: a copy on
    each side of the train/validation split would let the model recite rather than predict.
    """
    try:
        from site_builder.parser import parse_file
    except ImportError as e:
        raise DataError(f"cannot import the site's parser to read the notes ({e}); use --text-file") from None
    root = root or Path(__file__).resolve().parents[1]
    notes = []
    for path in sorted(root.rglob("*.py")):
        page = parse_file(path)
        notes.extend(row.note for row in page.rows if row.note)
    return "\n\n".join(dict.fromkeys(notes))


def load_text(text_file: str | None) -> str:
    """The training text: `--text-file` when given, else the repository's notes."""
    if text_file is None:
        text = repository_notes()
    else:
        path = Path(text_file)
        if not path.is_file():
            raise DataError(f"--text-file {path}: no such file")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise DataError(f"--text-file {path} is not UTF-8 text ({e})") from None
    return text


def unseen_windows(train_tokens: torch.Tensor, val_tokens: torch.Tensor, seq_len: int) -> list[int]:
    """
    ### Validation windows the training text does not contain

    The starts of the non-overlapping windows of `val_tokens` whose `seq_len` bytes do not occur anywhere
    in `train_tokens`. Text repeats itself (a phrase quoted on two pages, a code example), and a window
    seen word for word in training measures memory, not prediction; these are left out of validation.
    """
    train_bytes = bytes(train_tokens.tolist())
    starts = range(0, len(val_tokens) - seq_len + 1, seq_len)
    return [s for s in starts if bytes(val_tokens[s: s + seq_len].tolist()) not in train_bytes]


class MaskedTextDataset(Dataset):
    """
    ### Windows of text with masks

    `tokens` is a 1-D tensor of ids; sample $i$ is the window `tokens[i * stride : i * stride + seq_len]`,
    or `tokens[starts[i] : starts[i] + seq_len]` when a list of `starts` is given,
    masked by [`mask_tokens`](../transformers/mlm/index.html#mask_tokens).

    The mask of a sample is drawn from a generator seeded with `(seed, epoch, i)`.
    That makes masking a function of the sample alone, not of which process loads it or in which order:
    a run split across `torchrun` processes masks exactly the tokens a single process would, and a validation
    set (which never changes its epoch) is masked the same way at every evaluation.
    """

    def __init__(self, tokens: torch.Tensor, seq_len: int, stride: int, *, vocab_size: int, mask_id: int,
                 no_mask_ids: tuple[int, ...] = (), seed: int = 0, starts: list[int] | None = None):
        if len(tokens) < seq_len:
            raise DataError(f"the text has {len(tokens)} tokens, fewer than one window of {seq_len}")
        self.tokens = tokens
        self.seq_len = seq_len
        self.starts = list(range(0, len(tokens) - seq_len + 1, stride)) if starts is None else list(starts)
        if not self.starts:
            raise DataError(f"no window of {seq_len} tokens is left in the text")
        self.n = len(self.starts)
        self.vocab_size = vocab_size
        self.mask_id = mask_id
        self.no_mask_ids = no_mask_ids
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int):
        """Called by the trainer at the start of every epoch, so training masks change each epoch."""
        self.epoch = epoch

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        from labml_nn.transformers.mlm import mask_tokens

        window = self.tokens[self.starts[i]: self.starts[i] + self.seq_len]
        # A distinct, reproducible stream per (seed, epoch, sample)
        generator = torch.Generator().manual_seed((self.seed * 1_000_003 + self.epoch) * 10_000_019 + i)
        # `inputs` and `labels` are both `[seq_len]`; `labels` is -100 where no prediction is asked for
        return mask_tokens(window, vocab_size=self.vocab_size, mask_token_id=self.mask_id,
                           no_mask_ids=self.no_mask_ids, generator=generator)


def unigram_baseline(train_tokens: torch.Tensor, labels: torch.Tensor, vocab_size: int) -> float:
    r"""
    ### Unigram baseline

    The loss of the best model that ignores context: predict every masked token with the training
    text's token frequencies (add-one smoothed so unseen tokens have finite loss),
    $$\mathcal{L}_{\text{unigram}} = -\frac{1}{|M|}\sum_{t \in M} \log p(x_t),$$
    where $M$ is the set of masked positions in the validation set.

    This is *not* the best a model without context can do: see the next function.
    """
    counts = torch.bincount(train_tokens, minlength=vocab_size).double() + 1.0
    log_p = (counts / counts.sum()).log()
    targets = labels[labels != -100]
    return float(-log_p[targets].mean())


def context_free_baseline(train_tokens: torch.Tensor, inputs: torch.Tensor, labels: torch.Tensor,
                          n_random: int, p_replace_mask: float = 0.8, p_random: float = 0.1) -> float:
    r"""
    ### Context-free baseline

    The loss of the best model that sees only the input token at the masked position itself, no context.
    It knows more than the unigram model, because BERT's rule leaves $10\%$ of the chosen tokens unchanged:

    * where the input is `[MASK]` ($80\%$), it can only predict the frequencies $p(x)$;
    * where the input is a token $v$, the original was $v$ itself (kept, probability $0.1$) or anything
      (replaced by one of $n$ random tokens, probability $0.1 / n$ each), so the best prediction is the
      posterior
      $$q(x \mid v) \propto p(x) \left(0.1 \cdot [x = v] + \frac{0.1}{n}\right).$$

    Returns the mean of $-\log q$ over the masked positions of `inputs`/`labels` (`labels` is $-100$ where
    nothing is asked). $p$ is the training text's add-one smoothed frequency over the `n_random` ids
    that random replacements are drawn from.
    """
    counts = torch.bincount(train_tokens, minlength=n_random)[:n_random].double() + 1.0
    p = counts / counts.sum()  # [n_random]
    p_keep = 1.0 - p_replace_mask - p_random
    asked = labels != -100
    x, v = labels[asked], inputs[asked]  # targets and what the model saw there
    shown = v < n_random  # an ordinary token rather than `[MASK]`
    v_shown = v.clamp(max=n_random - 1)
    # Likelihood of seeing v given the original x, then the posterior's normaliser over all x
    lik_true = p_keep * (x == v).double() + p_random / n_random
    normaliser = p_keep * p[v_shown] + p_random / n_random
    log_q_shown = (p[x] * lik_true / normaliser).log()
    log_q = torch.where(shown, log_q_shown, p[x].log())
    return float(-log_q.mean())
