"""The checks of "Handling multiple sequences": each right answer passes, each realistic mistake fails
with the message that says how to fix it."""

from __future__ import annotations

import pytest
import torch

from course.checks import run_check

SENTENCES = [
    [1045, 1005, 2310, 2042, 3403, 2005, 1037, 17662, 12172, 2607, 2026, 2878, 2166, 1012],
    [1045, 5223, 2023, 2061, 2172, 999],
]
LONG_TEXTS = ["Short one.", "This sentence is much too long to fit in sixteen tokens, so it has to be cut."]


def pad_batch(sequences, pad_token_id):
    longest = max(len(s) for s in sequences)
    ids = [s + [pad_token_id] * (longest - len(s)) for s in sequences]
    mask = [[1] * len(s) + [0] * (longest - len(s)) for s in sequences]
    return torch.tensor(ids), torch.tensor(mask)


def masked_forward(model, sequences, pad_token_id):
    ids, mask = pad_batch(sequences, pad_token_id)
    with torch.no_grad():
        out = model(ids, attention_mask=mask, output_hidden_states=True)
    return out.logits, out.hidden_states[-1]


# --- sequences_batch_dim ---------------------------------------------------------------------------------
def test_batch_dim_right():
    result = run_check("sequences_batch_dim", lambda ids: torch.tensor([ids]))
    assert result.passed, result.message


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda ids: torch.tensor(ids), "has no batch dimension"),
        (lambda ids: torch.tensor(ids).unsqueeze(1), "the batch dimension comes first"),
        (lambda ids: [ids], "wrap it in a tensor"),
        (lambda ids: torch.tensor([ids], dtype=torch.float), "token ids are integers"),
        (lambda ids: torch.tensor([sorted(ids)]), "other ids"),
    ],
)
def test_batch_dim_wrong(wrong, message):
    result = run_check("sequences_batch_dim", wrong)
    assert not result.passed and message in result.message, result.message


def test_unanswered_exercise_says_not_yet():
    def as_batch(ids):
        raise NotImplementedError()

    result = run_check("sequences_batch_dim", as_batch)
    assert not result.passed and "not yet" in result.message


# --- sequences_pad_batch ---------------------------------------------------------------------------------
def test_pad_batch_right():
    result = run_check("sequences_pad_batch", pad_batch)
    assert result.passed, result.message


def _mask_all_ones(sequences, pad):
    ids, mask = pad_batch(sequences, pad)
    return ids, torch.ones_like(mask)


def _pad_with_zero(sequences, pad):
    return pad_batch(sequences, 0)


def _pad_left(sequences, pad):
    longest = max(len(s) for s in sequences)
    ids = [[pad] * (longest - len(s)) + s for s in sequences]
    mask = [[0] * (longest - len(s)) + [1] * len(s) for s in sequences]
    return torch.tensor(ids), torch.tensor(mask)


def _in_place(sequences, pad):
    longest = max(len(s) for s in sequences)
    mask = [[1] * len(s) + [0] * (longest - len(s)) for s in sequences]
    for s in sequences:
        s += [pad] * (longest - len(s))
    return torch.tensor(sequences), torch.tensor(mask)


def _lists(sequences, pad):
    ids, mask = pad_batch(sequences, pad)
    return ids.tolist(), mask.tolist()


def _fixed_width(sequences, pad):
    ids = [s + [pad] * (8 - len(s)) for s in sequences]
    mask = [[1] * len(s) + [0] * (8 - len(s)) for s in sequences]
    return torch.tensor(ids), torch.tensor(mask)


def _mask_inverted(sequences, pad):
    ids, mask = pad_batch(sequences, pad)
    return ids, 1 - mask


@pytest.mark.parametrize(
    "wrong, message",
    [
        (_mask_all_ones, "row 1 attends to its padding: the mask has 1s where input_ids == pad_token_id"),
        (_pad_with_zero, "with pad_token_id=99: row 1 is padded with 0, not with pad_token_id (99)"),
        (_pad_left, "padded on the left"),
        (_in_place, "changed the lists it was given"),
        (_lists, "is a list, not a torch.Tensor"),
        (_fixed_width, "pad every row up to 4, no further"),
        (_mask_inverted, "row 0 ignores some of its real tokens"),
        (lambda s, p: pad_batch(s, p)[0], "must return a pair"),
    ],
)
def test_pad_batch_wrong(wrong, message):
    result = run_check("sequences_pad_batch", wrong)
    assert not result.passed and message in result.message, result.message


# --- sequences_masked_batch (fresh head: tiny logit gap, large hidden-state gap) --------------------------
def test_masked_batch_right(classifier, tokenizer):
    result = run_check(
        "sequences_masked_batch", masked_forward, classifier, SENTENCES, tokenizer.pad_token_id
    )
    assert result.passed, result.message
    assert max(result.details["hidden_gaps"]) < 1e-4


def test_masked_batch_without_mask(classifier, tokenizer):
    def no_mask(model, sequences, pad):
        ids, _ = pad_batch(sequences, pad)
        with torch.no_grad():
            out = model(ids, output_hidden_states=True)
        return out.logits, out.hidden_states[-1]

    result = run_check("sequences_masked_batch", no_mask, classifier, SENTENCES, tokenizer.pad_token_id)
    assert not result.passed
    assert "WITHOUT its mask" in result.message and "pass attention_mask" in result.message, result.message
    # the fresh head hides the problem in the logits; the hidden states show it
    assert max(result.details["logit_gaps"]) < 0.2 < 1 < max(result.details["hidden_gaps"])


def test_masked_batch_all_hidden_layers(classifier, tokenizer):
    def all_layers(model, sequences, pad):
        ids, mask = pad_batch(sequences, pad)
        with torch.no_grad():
            out = model(ids, attention_mask=mask, output_hidden_states=True)
        return out.logits, out.hidden_states

    result = run_check("sequences_masked_batch", all_layers, classifier, SENTENCES, tokenizer.pad_token_id)
    assert not result.passed and "outputs.hidden_states[-1]" in result.message, result.message


def test_masked_batch_first_layer(classifier, tokenizer):
    def first_layer(model, sequences, pad):
        ids, mask = pad_batch(sequences, pad)
        with torch.no_grad():
            out = model(ids, attention_mask=mask, output_hidden_states=True)
        return out.logits, out.hidden_states[0]

    result = run_check("sequences_masked_batch", first_layer, classifier, SENTENCES, tokenizer.pad_token_id)
    assert not result.passed and "the logits agree but the hidden states differ" in result.message


def test_masked_batch_training_mode(classifier, tokenizer):
    classifier.train()
    try:
        result = run_check("sequences_masked_batch", masked_forward, classifier, SENTENCES, 0)
    finally:
        classifier.eval()
    assert not result.passed and "model.eval()" in result.message


# --- sequences_truncate ----------------------------------------------------------------------------------
def test_truncate_right(tokenizer):
    def encode(texts, tok, max_length):
        return tok(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")

    result = run_check("sequences_truncate", encode, tokenizer, LONG_TEXTS, 16)
    assert result.passed, result.message


def _sliced(texts, tok, max_length):
    batch = tok(texts, padding=True, return_tensors="pt")
    return {k: v[:, :max_length] for k, v in batch.items()}


@pytest.mark.parametrize(
    "wrong, message",
    [
        (
            lambda t, tok, m: tok(t, padding=True, return_tensors="pt"),
            "pass truncation=True and max_length=16",
        ),
        (_sliced, "row 1 does not end with [SEP] (102): it was cut by slicing"),
        (lambda t, tok, m: tok(t, padding=True, truncation=True, max_length=m), 'return_tensors="pt"'),
        (
            lambda t, tok, m: {
                "input_ids": tok(t, padding=True, truncation=True, max_length=m, return_tensors="pt")[
                    "input_ids"
                ]
            },
            "no attention_mask",
        ),
    ],
)
def test_truncate_wrong(tokenizer, wrong, message):
    result = run_check("sequences_truncate", wrong, tokenizer, LONG_TEXTS, 16)
    assert not result.passed and message in result.message, result.message
