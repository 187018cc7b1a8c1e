"""The checks of "Putting it all together": right answers pass, realistic mistakes fail with advice."""

from __future__ import annotations

import pytest
import torch

from course.checks import run_check

TEXTS = ["I hate this so much!", "Yes.", "This movie was long, slow and far too loud for my taste."]


@pytest.fixture(scope="module")
def classifier():
    from transformers import pipeline

    return pipeline("sentiment-analysis")


# --- together_fixed_length -------------------------------------------------------------------------------
def test_fixed_length_right(tokenizer):
    def encode(texts, tok, length):
        return tok(texts, padding="max_length", truncation=True, max_length=length, return_tensors="pt")

    assert run_check("together_fixed_length", encode, tokenizer, TEXTS, 8).passed


@pytest.mark.parametrize(
    "wrong, message",
    [
        (
            lambda t, tok, n: tok(t, padding=True, return_tensors="pt"),
            "cut the long texts with truncation=True",
        ),
        (
            lambda t, tok, n: tok(
                t[:2], padding="longest", truncation=True, max_length=n, return_tensors="pt"
            ),
            "one row per text",
        ),
        (
            lambda t, tok, n: tok(
                t, padding="max_length", truncation=True, max_length=n, return_tensors="np"
            ),
            "input_ids is a NumPy array",
        ),
        (
            lambda t, tok, n: {k: v[:, :n] for k, v in tok(t, padding=True, return_tensors="pt").items()},
            "row 2 differs from the tokenizer's own truncation",
        ),
    ],
)
def test_fixed_length_wrong(tokenizer, wrong, message):
    result = run_check("together_fixed_length", wrong, tokenizer, TEXTS, 8)
    assert not result.passed and message in result.message, result.message


def test_fixed_length_without_truncation(tokenizer):
    def no_truncation(texts, tok, length):  # the long row cannot join the padded ones: the tokenizer raises
        return tok(texts, padding="max_length", max_length=length, return_tensors="pt")

    result = run_check("together_fixed_length", no_truncation, tokenizer, TEXTS, 8)
    assert not result.passed and "Unable to create tensor" in result.message
    assert "truncation=True" in result.advice, result.advice


def test_fixed_length_longest_is_too_short(tokenizer):
    def longest(texts, tok, length):
        return tok(texts, padding="longest", truncation=True, max_length=length, return_tensors="pt")

    result = run_check("together_fixed_length", longest, tokenizer, ["Yes.", "No way."], 8)
    assert not result.passed and 'padding="max_length" with max_length=8' in result.message, result.message


# --- together_special_tokens -----------------------------------------------------------------------------
def test_special_tokens_right(tokenizer):
    def right(ids, tok):
        return [tok.cls_token_id] + ids + [tok.sep_token_id]

    assert run_check("together_special_tokens", right, tokenizer).passed


def _in_place(ids, tok):
    ids.insert(0, tok.cls_token_id)
    ids.append(tok.sep_token_id)
    return ids


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda ids, tok: ids, "no special tokens were added"),
        (lambda ids, tok: [tok.sep_token_id] + ids + [tok.cls_token_id], "[CLS] and [SEP] are swapped"),
        (lambda ids, tok: [tok.cls_token_id] + ids, "does not end with [SEP] (tokenizer.sep_token_id = 102)"),
        (lambda ids, tok: ids + [tok.sep_token_id], "does not start with [CLS]"),
        (_in_place, "changed the list it was given"),
        (lambda ids, tok: tok.decode([tok.cls_token_id] + ids + [tok.sep_token_id]), "return a list of ids"),
    ],
)
def test_special_tokens_wrong(tokenizer, wrong, message):
    result = run_check("together_special_tokens", wrong, tokenizer)
    assert not result.passed and message in result.message, result.message


# --- together_classify -----------------------------------------------------------------------------------
def _make_classify(classifier, mask=True, softmax=True, names=True, dim=-1):
    model, tok = classifier.model, classifier.tokenizer

    def classify(texts):
        batch = tok(texts, padding=True, truncation=True, return_tensors="pt")
        if not mask:
            batch.pop("attention_mask")
        with torch.no_grad():
            logits = model(**batch).logits
        scores = torch.softmax(logits, dim=dim) if softmax else logits
        out = []
        for row in scores:
            index = int(row.argmax())
            label = model.config.id2label[index] if names else index
            out.append({"label": label, "score": row[index].item()})
        return out

    return classify


def test_classify_right(classifier):
    result = run_check("together_classify", _make_classify(classifier), TEXTS, classifier)
    assert result.passed, result.message


def test_classify_builds_its_own_reference(classifier):
    """Without a classifier the check builds the reference itself: pipeline("sentiment-analysis")."""
    result = run_check("together_classify", _make_classify(classifier), TEXTS)
    assert result.passed, result.message


@pytest.mark.parametrize(
    "options, message",
    [
        ({"mask": False}, "run without its attention mask"),
        ({"softmax": False}, "these are logits"),
        ({"names": False}, "model.config.id2label"),
        ({"dim": 0}, "softmax over the labels (dim=-1)"),
    ],
)
def test_classify_wrong(classifier, options, message):
    result = run_check("together_classify", _make_classify(classifier, **options), TEXTS, classifier)
    assert not result.passed and message in result.message, result.message


def test_classify_wrong_shape(classifier):
    result = run_check(
        "together_classify", lambda texts: {"label": "POSITIVE", "score": 0.9}, TEXTS, classifier
    )
    assert not result.passed and "one result per text" in result.message, result.message
