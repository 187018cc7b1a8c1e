"""The checks of "Putting it all together": right answers pass, realistic mistakes fail with advice.

The last test proves that every failure message of course.checks.together is reached by one of them.
"""

from __future__ import annotations

import pytest
import torch
from message_coverage import assert_every_failure_reached

import course.checks.together
from course.checks import run_check
from course.checks.together import reference_scores

TEXTS = ["I hate this so much!", "Yes.", "This movie was long, slow and far too loud for my taste."]
CHECKPOINT = "distilbert-base-uncased-finetuned-sst-2-english"


@pytest.fixture(scope="module")
def sst2():
    """The notebook's tokenizer and model: the sentiment checkpoint (offline, its SST-2 stand-in)."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    return AutoTokenizer.from_pretrained(CHECKPOINT), AutoModelForSequenceClassification.from_pretrained(
        CHECKPOINT
    ).eval()


def test_shortcuts_come_back_after_a_check(sst2):
    tokenizer, model = sst2
    assert not run_check("together_classify", lambda t, tok, m: reference_scores(tok, m, t), tokenizer, model)
    assert reference_scores(tokenizer, model, ["a"]).shape == (1, 2), "restored"
    assert tokenizer("text")["input_ids"][0] == 101


# --- together_fixed_length -------------------------------------------------------------------------------
def _fixed(padding="max_length", truncation=True, tensors="pt", length=None):
    def encode(texts, tok, n):
        return tok(
            texts, padding=padding, truncation=truncation, max_length=length or n, return_tensors=tensors
        )

    return encode


def test_fixed_length_right(sst2):
    assert run_check("together_fixed_length", _fixed(), sst2[0], TEXTS, 8).passed


def _notebook_tokenizer(tokenizer):
    def encode(texts, tok, length):
        return tokenizer(texts, padding="max_length", truncation=True, max_length=length, return_tensors="pt")

    return encode


def _hand_padded(texts, tok, length):  # pads with 0, BERT's [PAD], whatever the tokenizer
    rows = [tok(t, truncation=True, max_length=length)["input_ids"] for t in texts]
    ids = torch.tensor([r + [0] * (length - len(r)) for r in rows])
    return {"input_ids": ids, "attention_mask": (ids != 0).long()}


def _mask_of_ones(texts, tok, length):
    batch = tok(texts, padding="max_length", truncation=True, max_length=length, return_tensors="pt")
    return {"input_ids": batch["input_ids"], "attention_mask": torch.ones_like(batch["input_ids"])}


@pytest.mark.parametrize(
    "wrong, message",
    [
        (
            _fixed(padding=True),
            "texts all shorter than 12 tokens, length 12: rows are 6 tokens long, not 12: pad",
        ),
        (_fixed(length=8), "rows are 8 tokens long, not 12"),
        (_fixed(tensors="np"), "input_ids is a NumPy array"),
        (_fixed(tensors=None), "input_ids is a list"),
        (
            lambda t, tok, n: tok(
                t[:2], padding="max_length", truncation=True, max_length=n, return_tensors="pt"
            ),
            "one row per text",
        ),
        (
            lambda t, tok, n: tok(
                t, padding="max_length", truncation=True, max_length=n + 4, return_tensors="pt"
            ),
            "cut the long texts with truncation=True",
        ),
        (
            lambda t, tok, n: {k: v[:, :n] for k, v in _fixed(length=64)(t, tok, n).items()},
            "your texts, length 8: row 2 is",
        ),
        (lambda t, tok, n: _fixed()(t, tok, n)["input_ids"], "return what the tokenizer returns"),
        (
            lambda t, tok, n: {"input_ids": _fixed()(t, tok, n)["input_ids"]},
            "the batch has no attention_mask",
        ),
        (_hand_padded, "another tokenizer ([PAD] is 9), length 7: row 1 is"),
        (_mask_of_ones, "the attention mask is not the tokenizer's"),
    ],
)
def test_fixed_length_wrong(sst2, wrong, message):
    result = run_check("together_fixed_length", wrong, sst2[0], TEXTS, 8)
    assert not result.passed and message in result.message, result.message


def test_fixed_length_notebook_tokenizer(sst2):
    result = run_check("together_fixed_length", _notebook_tokenizer(sst2[0]), sst2[0], TEXTS, 8)
    assert not result.passed and "ids of the notebook's tokenizer" in result.message, result.message


def test_fixed_length_without_truncation(sst2):
    result = run_check("together_fixed_length", _fixed(truncation=False), sst2[0], TEXTS, 8)
    assert not result.passed and "Unable to create tensor" in result.message
    assert "truncation=True" in result.advice, result.advice


# --- together_special_tokens -----------------------------------------------------------------------------
def _right_special(ids, tok):
    return [tok.cls_token_id] + ids + [tok.sep_token_id]


def test_special_tokens_right(sst2):
    assert run_check("together_special_tokens", _right_special, sst2[0]).passed


def _in_place(ids, tok):
    ids.insert(0, tok.cls_token_id)
    ids.append(tok.sep_token_id)
    return ids


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda ids, tok: ids, "no special tokens were added"),
        (lambda ids, tok: [101] + ids + [102], "you added BERT's 101 and 102"),
        (lambda ids, tok: [tok.sep_token_id] + ids + [tok.cls_token_id], "[CLS] and [SEP] are swapped"),
        (lambda ids, tok: [tok.cls_token_id] + ids, "does not end with [SEP] (tokenizer.sep_token_id = 102)"),
        (lambda ids, tok: ids + [tok.sep_token_id], "does not start with [CLS]"),
        (lambda ids, tok: [tok.cls_token_id] + ids[:-1] + [tok.sep_token_id], "keep the ids in between"),
        (_in_place, "changed the list it was given"),
        (lambda ids, tok: tok.decode(_right_special(ids, tok)), "return a list of ids"),
        (lambda ids, tok: tok(tok.decode(ids))["input_ids"], "called the tokenizer on a text"),
        (lambda ids, tok: tok.encode(tok.decode(ids)), "called the tokenizer on a text"),
    ],
)
def test_special_tokens_wrong(sst2, wrong, message):
    result = run_check("together_special_tokens", wrong, sst2[0])
    assert not result.passed and message in result.message, result.message


def test_special_tokens_tensor_result_is_a_list(sst2):
    result = run_check(
        "together_special_tokens", lambda ids, tok: torch.tensor(_right_special(ids, tok)), sst2[0]
    )
    assert result.passed, result.message


# --- together_classify -----------------------------------------------------------------------------------
def _make_classify(mask=True, softmax=True, names=True, dim=-1, pick="argmax", item=True, tok=None, mdl=None):
    def classify(texts, tokenizer, model):
        tokenizer, model = tok or tokenizer, mdl or model
        batch = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
        if not mask:
            batch.pop("attention_mask")
        with torch.no_grad():
            logits = model(**batch).logits
        scores = torch.softmax(logits, dim=dim) if softmax else logits
        out = []
        for row in scores:
            index = int(getattr(row, pick)())
            label = model.config.id2label[index] if names else index
            score = row.max().item() if item else row.max()
            out.append({"label": label, "score": score})
        return out

    return classify


def test_classify_right(sst2):
    result = run_check("together_classify", _make_classify(), *sst2, TEXTS)
    assert result.passed, result.message


def test_classify_default_texts(sst2):
    assert run_check("together_classify", _make_classify(), *sst2).passed


@pytest.mark.parametrize(
    "options, message",
    [
        ({"mask": False}, "run without its attention mask"),
        ({"softmax": False}, "these are logits"),
        ({"names": False}, "the pipeline gives the label's name"),
        ({"dim": 0}, "softmax over the labels (dim=-1)"),
        ({"pick": "argmin"}, "take the label of the largest probability"),
        ({"item": False}, "score of type Tensor"),
    ],
)
def test_classify_wrong(sst2, options, message):
    result = run_check("together_classify", _make_classify(**options), *sst2, TEXTS)
    assert not result.passed and message in result.message, result.message


def test_classify_uses_the_notebook_objects(sst2):
    tokenizer, model = sst2
    result = run_check("together_classify", _make_classify(mdl=model), *sst2, TEXTS)
    assert not result.passed and "use the `model` argument" in result.message, result.message
    result = run_check("together_classify", _make_classify(tok=tokenizer), *sst2, TEXTS)
    assert not result.passed and "use the `tokenizer` argument" in result.message, result.message


def test_classify_labels_from_memory(sst2):
    right = _make_classify()

    def classify(texts, tokenizer, model):
        return [
            {**r, "label": ["NEGATIVE", "POSITIVE"][i % 2]}
            for i, r in enumerate(right(texts, tokenizer, model))
        ]

    result = run_check("together_classify", classify, *sst2, TEXTS)
    assert not result.passed and "are not this model's" in result.message, result.message


def test_classify_with_a_pipeline(sst2):
    from transformers import pipeline

    classifier = pipeline("sentiment-analysis")
    for wrong in (
        lambda texts, tokenizer, model: classifier(texts),
        lambda texts, tokenizer, model: pipeline("text-classification", model=model, tokenizer=tokenizer)(
            texts
        ),
        lambda texts, tokenizer, model: [
            {"label": model.config.id2label[int(r.argmax())], "score": r.max().item()}
            for r in reference_scores(tokenizer, model, texts)
        ],
    ):
        result = run_check("together_classify", wrong, *sst2, TEXTS)
        assert not result.passed and "built or ran a pipeline" in result.message, result.message
    assert classifier(["fine"])[0]["label"] in ("POSITIVE", "NEGATIVE"), "pipelines work again afterwards"


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda texts, tok, model: {"label": "POSITIVE", "score": 0.9}, "one result per text"),
        (lambda texts, tok, model: [("POSITIVE", 0.9)] * len(texts), "each result is a dict with two keys"),
    ],
)
def test_classify_wrong_shape(sst2, wrong, message):
    result = run_check("together_classify", wrong, *sst2, TEXTS)
    assert not result.passed and message in result.message, result.message


def test_every_failure_message_is_reached():
    assert_every_failure_reached(course.checks.together)
