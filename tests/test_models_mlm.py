"""BERT's masking rule (arXiv 1810.04805, section 3.1) and the masked language model."""

import pytest
import torch
import torch.nn.functional as F

from labml_nn.transformers.mlm import IGNORE_INDEX, MaskedLanguageModel, mask_tokens

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
