"""The checks of "Behind the pipeline": each passes a right answer and fails realistic wrong ones."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course.checks import run_check

SENTENCES = [
    "Transformers turn text into numbers.",
    "I've been waiting for a HuggingFace course my whole life, and it is finally here for everyone!",
    "Great!",
]
MAX_LENGTH = 12
ID2LABEL = {0: "NEGATIVE", 1: "POSITIVE"}
LOGITS = torch.tensor([[-1.5, 1.7], [2.2, -1.9], [0.3, 0.1]])


def _batch(tokenizer, **kwargs):
    options = dict(padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
    options.update(kwargs)
    return tokenizer(SENTENCES, **options)


def _verdict(name, *args, **kwargs):
    result = run_check(name, *args, **kwargs)
    return result.passed, result.message


# pipeline_batch ---------------------------------------------------------------------------------


def test_batch_right_answer_passes(tokenizer):
    passed, message = _verdict(
        "pipeline_batch", _batch(tokenizer), tokenizer, SENTENCES, max_length=MAX_LENGTH
    )
    assert passed, message
    assert "[3, 12]" in message


def test_batch_without_truncation_fails(tokenizer):
    batch = _batch(tokenizer, truncation=False, max_length=None)
    passed, message = _verdict("pipeline_batch", batch, tokenizer, SENTENCES, max_length=MAX_LENGTH)
    assert not passed and "truncation=True" in message and "max_length=12" in message


def test_batch_as_lists_without_padding_fails(tokenizer):
    batch = tokenizer(SENTENCES, truncation=True, max_length=MAX_LENGTH)
    passed, message = _verdict("pipeline_batch", batch, tokenizer, SENTENCES, max_length=MAX_LENGTH)
    assert not passed and "padding=True" in message and "return_tensors='pt'" in message


def test_batch_as_numpy_fails(tokenizer):
    batch = _batch(tokenizer, return_tensors="np")
    passed, message = _verdict("pipeline_batch", batch, tokenizer, SENTENCES, max_length=MAX_LENGTH)
    assert not passed and "ndarray" in message and "return_tensors='pt'" in message


def test_batch_padded_to_max_length_fails(tokenizer):
    short = ["Great!", "Hello there."]
    batch = tokenizer(
        short, padding="max_length", truncation=True, max_length=MAX_LENGTH, return_tensors="pt"
    )
    passed, message = _verdict("pipeline_batch", batch, tokenizer, short, max_length=MAX_LENGTH)
    assert not passed and "longest sentence needs only" in message


def test_batch_whose_mask_covers_padding_fails(tokenizer):
    batch = _batch(tokenizer)
    batch["attention_mask"] = torch.ones_like(batch["attention_mask"])
    passed, message = _verdict("pipeline_batch", batch, tokenizer, SENTENCES, max_length=MAX_LENGTH)
    assert not passed and message.startswith("row 0") and "pad_token_id (0)" in message


def test_batch_from_tokenize_fails(tokenizer):
    passed, message = _verdict("pipeline_batch", tokenizer.tokenize(SENTENCES[0]), tokenizer, SENTENCES)
    assert not passed and "BatchEncoding" in message


def test_batch_of_one_sentence_fails(tokenizer):
    batch = tokenizer(SENTENCES[0], return_tensors="pt")
    passed, message = _verdict("pipeline_batch", batch, tokenizer, SENTENCES, max_length=MAX_LENGTH)
    assert not passed and "1 rows for 3 sentences" in message


# pipeline_probabilities -------------------------------------------------------------------------


def test_probabilities_right_answer_passes():
    passed, message = _verdict("pipeline_probabilities", torch.softmax(LOGITS, dim=-1), LOGITS)
    assert passed and "dim=-1" in message


def test_probabilities_accept_numpy():
    passed, _ = _verdict("pipeline_probabilities", torch.softmax(LOGITS, dim=-1).numpy(), LOGITS)
    assert passed


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (LOGITS, "raw logits"),
        (torch.softmax(LOGITS, dim=0), "dim=0"),
        (torch.sigmoid(LOGITS), "sigmoid"),
        (torch.softmax(LOGITS, dim=-1)[:2], "shape [2, 2]"),
        (torch.softmax(LOGITS * 2, dim=-1), "differ from softmax(logits)"),
        (torch.exp(LOGITS), "not 1"),
    ],
)
def test_probabilities_wrong_answers_fail(answer, expected):
    passed, message = _verdict("pipeline_probabilities", answer, LOGITS)
    assert not passed and expected in message, message


# pipeline_predictions ---------------------------------------------------------------------------


def _right_predictions(logits=LOGITS):
    probs = torch.softmax(logits, dim=-1)
    return [{"label": ID2LABEL[int(p.argmax())], "score": p.max().item()} for p in probs]


def test_predictions_right_answer_passes():
    passed, message = _verdict("pipeline_predictions", _right_predictions(), LOGITS, ID2LABEL)
    assert passed and "id2label" in message


def test_predictions_accept_string_keys_in_id2label():
    passed, _ = _verdict(
        "pipeline_predictions", _right_predictions(), LOGITS, {"0": "NEGATIVE", "1": "POSITIVE"}
    )
    assert passed


def _edit(index, **changes):
    predictions = _right_predictions()
    predictions[index] = {**predictions[index], **changes}
    return predictions


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (_edit(0, label=1), "is an index"),
        (_edit(0, label="NEGATIVE"), "largest logit is 'POSITIVE'"),
        (_edit(1, label="negative"), "not one of the model's labels"),
        (_edit(0, score=1.7), "raw logit"),
        (_edit(0, score=float(torch.softmax(LOGITS, -1)[0, 0])), "probability of the other label"),
        (_edit(2, score=torch.tensor(0.55)), "is a tensor"),
        (_edit(2, score=0.9), "softmax of the logits gives"),
        (_right_predictions()[0], "a single dict"),
        (_right_predictions()[:2], "2 predictions for 3 sentences"),
        ([("POSITIVE", 0.9)] * 3, "keys 'label' and 'score'"),
        (torch.softmax(LOGITS, -1), "list of dicts"),
    ],
)
def test_predictions_wrong_answers_fail(answer, expected):
    passed, message = _verdict("pipeline_predictions", answer, LOGITS, ID2LABEL)
    assert not passed and expected in message, message


def test_pipeline_output_passes_against_its_own_logits():
    """The real pipeline's output is the right answer for the logits of its own model."""
    from transformers import pipeline

    classifier = pipeline("sentiment-analysis")  # no model named: the pinned default (offline, its stand-in)
    sentences = ["I've been waiting for a HuggingFace course my whole life.", "I hate this so much!"]
    inputs = classifier.tokenizer(sentences, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        logits = classifier.model(**inputs).logits
    passed, message = _verdict(
        "pipeline_predictions", classifier(sentences), logits, classifier.model.config.id2label
    )
    assert passed, message


def test_checks_do_not_raise_on_garbage(tokenizer):
    for name, args in [
        ("pipeline_batch", (None, tokenizer, SENTENCES)),
        ("pipeline_probabilities", ("not a tensor", LOGITS)),
        ("pipeline_predictions", (None, LOGITS, ID2LABEL)),
        ("pipeline_predictions", ([{"label": "POSITIVE", "score": "high"}] * 3, np.zeros((3, 2)), ID2LABEL)),
    ]:
        result = run_check(name, *args)
        assert not result.passed and result.message


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("pipeline_probabilities", (None, LOGITS)),
        ("pipeline_predictions", (None, LOGITS, ID2LABEL)),
    ],
)
def test_unanswered_exercises_say_so(name, args):
    passed, message = _verdict(name, *args)
    assert not passed and message.startswith("no answer yet")


def test_unanswered_batch_says_so(tokenizer):
    passed, message = _verdict("pipeline_batch", None, tokenizer, SENTENCES)
    assert not passed and message.startswith("no answer yet")
