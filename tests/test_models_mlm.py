"""BERT's masking rule (arXiv 1810.04805, section 3.1) and the masked language model.

Mutations these tests are meant to catch (each was applied to the code once, by hand, and made a test fail):

* the encoder skipped (embeddings straight to the head)            (test_forward_is_embeddings_encoder_head,
                                                                     test_experiments: ..._beats_context_free_...)
* position embeddings not added                                     (test_forward_is_embeddings_encoder_head)
* post-norm layers, or the final LayerNorm skipped                  (test_forward_is_embeddings_encoder_head)
* the masking rule changed: no random replacements, all [MASK],
  15% chosen among all positions including protected ones          (test_masking_statistics,
                                                                     test_labels_and_untouched_positions)
* labels kept at positions that were not chosen                     (test_labels_and_untouched_positions)
* the loss or the count taken over unmasked positions, or the accuracy
  scored against the input instead of the original token           (test_loss_counts_only_masked_positions)
* the position table decayed by AdamW                               (test_weight_decay_spares_the_position_table)
* a baseline that ignores the unchanged 10%                          (test_context_free_baseline_is_the_posterior)
"""

import math

import pytest
import torch
import torch.nn.functional as F
from paper_equations import linear, pre_norm_encoder

from labml_nn.experiments.data import context_free_baseline, unigram_baseline
from labml_nn.experiments.trainer import make_optimizer
from labml_nn.transformers.mlm import IGNORE_INDEX, MaskedLanguageModel, mask_tokens
from labml_nn.transformers.mlm.experiment import mlm_loss

VOCAB = 50
MASK_ID = 1
PAD_ID = 0


def sample(n=200_000, seed=0):
    g = torch.Generator().manual_seed(seed)
    tokens = torch.randint(2, VOCAB, (n // 100, 100), generator=g)
    tokens[:, -10:] = PAD_ID  # some protected padding
    inputs, labels = mask_tokens(tokens, vocab_size=VOCAB, mask_token_id=MASK_ID, no_mask_ids=[PAD_ID],
                                 generator=g)
    return tokens, inputs, labels


def test_masking_statistics():
    tokens, inputs, labels = sample()
    maskable = tokens != PAD_ID
    chosen = labels != IGNORE_INDEX
    # ~15% of the maskable positions are chosen
    rate = chosen[maskable].float().mean().item()
    assert abs(rate - 0.15) < 0.005
    # Of the chosen: ~80% [MASK], ~10% random (a changed token that is not [MASK]), ~10% unchanged
    c_in, c_orig = inputs[chosen], tokens[chosen]
    masked = (c_in == MASK_ID).float().mean().item()
    unchanged = (c_in == c_orig).float().mean().item()
    changed = ((c_in != MASK_ID) & (c_in != c_orig)).float().mean().item()
    assert abs(masked - 0.8) < 0.01
    # A random token equals the original with probability 1/VOCAB, which adds to "unchanged"
    assert abs(unchanged - (0.1 + 0.1 / VOCAB)) < 0.01
    assert abs(changed - 0.1 * (1 - 1 / VOCAB)) < 0.01


def test_labels_and_untouched_positions():
    tokens, inputs, labels = sample(20_000, seed=1)
    chosen = labels != IGNORE_INDEX
    # Labels are the original tokens where chosen, -100 elsewhere
    assert torch.equal(labels[chosen], tokens[chosen])
    assert (labels[~chosen] == IGNORE_INDEX).all()
    # Positions that were not chosen keep their token
    assert torch.equal(inputs[~chosen], tokens[~chosen])
    # Protected ids are never chosen nor changed
    pad = tokens == PAD_ID
    assert not chosen[pad].any()
    assert (inputs[pad] == PAD_ID).all()
    # Random replacements stay inside the vocabulary
    assert inputs.min() >= 0 and inputs.max() < VOCAB


def test_masking_is_reproducible_with_a_generator():
    tokens = torch.randint(2, VOCAB, (8, 32))
    a = mask_tokens(tokens, vocab_size=VOCAB, mask_token_id=MASK_ID,
                    generator=torch.Generator().manual_seed(3))
    b = mask_tokens(tokens, vocab_size=VOCAB, mask_token_id=MASK_ID,
                    generator=torch.Generator().manual_seed(3))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert tokens.shape == a[0].shape == a[1].shape


@pytest.mark.parametrize("mixer", ["attention", "mlp_mixer"])
def test_model_shapes_and_loss(mixer):
    torch.manual_seed(0)
    model = MaskedLanguageModel(vocab_size=VOCAB, seq_len=16, d_model=16, n_layers=2, n_heads=2, d_ff=32,
                                mixer=mixer)
    tokens = torch.randint(2, VOCAB, (3, 16))
    inputs, labels = mask_tokens(tokens, vocab_size=VOCAB, mask_token_id=MASK_ID)
    logits = model(inputs)
    assert logits.shape == (3, 16, VOCAB)
    labels[0, 0] = tokens[0, 0]  # make sure at least one position is scored
    loss = F.cross_entropy(logits.flatten(0, 1), labels.flatten())
    loss.backward()
    assert torch.isfinite(loss)
    # With padding masks too
    mask = torch.ones(3, 16, dtype=torch.bool)
    mask[:, 12:] = False
    assert model(inputs, mask=mask[:, None, None, :]).shape == (3, 16, VOCAB)


def test_unknown_mixer():
    with pytest.raises(ValueError):
        MaskedLanguageModel(vocab_size=VOCAB, seq_len=8, d_model=8, n_layers=1, n_heads=2, d_ff=16,
                            mixer="conv")


def tiny_mlm(mixer="attention") -> MaskedLanguageModel:
    return MaskedLanguageModel(vocab_size=VOCAB, seq_len=12, d_model=16, n_layers=2, n_heads=2, d_ff=32,
                               mixer=mixer)


def test_forward_is_embeddings_encoder_head():
    """Token embedding + position embedding, a pre-norm encoder with a final LayerNorm, a linear head."""
    torch.manual_seed(0)
    model = tiny_mlm().double().eval()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.5)
    tokens = torch.randint(0, VOCAB, (3, 12))
    z = model.token_embedding.embedding.weight[tokens] + model.position_embedding.positional_encodings
    expected = linear(pre_norm_encoder(model.encoder, z), model.head)
    torch.testing.assert_close(model(tokens), expected, rtol=1e-9, atol=1e-9)


def test_loss_counts_only_masked_positions():
    torch.manual_seed(0)
    model = tiny_mlm().eval()
    tokens = torch.randint(2, VOCAB, (64, 12))
    inputs, labels = mask_tokens(tokens, vocab_size=VOCAB, mask_token_id=MASK_ID,
                                 generator=torch.Generator().manual_seed(1))
    loss_sum, correct, count = mlm_loss(model, (inputs, labels))
    asked = labels != IGNORE_INDEX
    logits = model(inputs)
    assert int(count) == int(asked.sum()) > 0
    torch.testing.assert_close(loss_sum, F.cross_entropy(logits[asked], labels[asked], reduction="sum"))
    assert int(correct) == int((logits.argmax(-1)[asked] == labels[asked]).sum())
    # A model that copies its input is right exactly where a chosen token was left unchanged
    copy_input = lambda x: F.one_hot(x, VOCAB).float()  # noqa: E731
    _, correct, count = mlm_loss(copy_input, (inputs, labels))
    assert int(correct) == int((inputs[asked] == labels[asked]).sum())
    assert 0 < int(correct) < int(count)


def test_weight_decay_spares_the_position_table():
    model = tiny_mlm()
    optimizer = make_optimizer(model, lr=1e-3, weight_decay=0.05)
    decayed = {id(p) for g in optimizer.param_groups if g["weight_decay"] > 0 for p in g["params"]}
    assert id(model.position_embedding.positional_encodings) not in decayed
    assert id(model.token_embedding.embedding.weight) in decayed and id(model.head.weight) in decayed


def test_context_free_baseline_is_the_posterior():
    """
    Check the closed form against the definition: the best context-free prediction for an input v is the
    posterior over originals, P(x | v) = P(x) P(v | x) / P(v), with P(v | x) from BERT's rule. A tiny
    vocabulary of 3 ids, with id 3 as [MASK].
    """
    train = torch.tensor([0] * 5 + [1] * 3 + [2] * 1)
    p = (torch.bincount(train, minlength=3).double() + 1) / (len(train) + 3)
    inputs = torch.tensor([3, 0, 1, 2, 0])
    labels = torch.tensor([0, 0, 2, 1, 1])

    def p_seen(v, x):  # P(input v | original x, chosen)
        return 0.8 * (v == 3) + 0.1 * (v == x) + 0.1 / 3 * (v != 3)

    expected = -sum(math.log(p[x] * p_seen(v, x) / sum(p[y] * p_seen(v, y) for y in range(3)))
                    for v, x in zip(inputs.tolist(), labels.tolist(), strict=True)) / len(labels)
    assert context_free_baseline(train, inputs, labels, n_random=3) == pytest.approx(expected, rel=1e-12)
    # It beats the unigram baseline on real masks, because 10% of the chosen tokens are shown unchanged
    tokens, masked, targets = sample(20_000, seed=2)
    train_tokens = tokens.flatten()
    assert context_free_baseline(train_tokens, masked, targets, n_random=VOCAB) < \
        unigram_baseline(train_tokens, targets, VOCAB) - 0.1
