"""The checks of "Models": each passes a right answer and fails realistic wrong ones.

The checks take the learner's function; every failure message is reached by one test here (the last
test proves it).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from message_coverage import assert_every_failure_reached
from transformers import (
    AutoConfig,
    AutoModel,
    AutoModelForSequenceClassification,
    BertConfig,
    BertForSequenceClassification,
    BertModel,
)

import course.checks.models
from course.checks import run_check

CHECKPOINT = "bert-base-uncased"
SENTIMENT = "distilbert-base-uncased-finetuned-sst-2-english"
EMOTIONS = ["sadness", "joy", "love", "anger", "fear", "surprise"]
ENCODED = [[101, 7592, 999, 102], [101, 4658, 1012, 102], [101, 3835, 999, 102]]


def _verdict(name, *args, **kwargs):
    result = run_check(name, *args, **kwargs)
    return result.passed, result.message


@pytest.fixture(scope="module")
def bert():
    return AutoModel.from_pretrained(CHECKPOINT).eval()


@pytest.fixture(scope="module")
def sentiment():
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(SENTIMENT)
    model = AutoModelForSequenceClassification.from_pretrained(SENTIMENT).eval()
    inputs = tokenizer(["I hate this so much!", "What a wonderful film."], padding=True, return_tensors="pt")
    return model, tokenizer, inputs


# models_from_config -----------------------------------------------------------------------------


def _small_bert(checkpoint, num_layers, num_heads):
    config = AutoConfig.from_pretrained(
        checkpoint, num_hidden_layers=num_layers, num_attention_heads=num_heads
    )
    return BertModel(config)


def test_from_config_right_answer_passes(bert):
    passed, message = _verdict("models_from_config", _small_bert, CHECKPOINT, bert)
    assert passed and "random weights" in message, message


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            lambda c, n, h: BertModel.from_pretrained(c, num_hidden_layers=n, num_attention_heads=h),
            "the checkpoint's trained ones",
        ),
        (
            lambda c, n, h: BertModel(BertConfig(num_hidden_layers=n, num_attention_heads=h)),
            "hidden_size is 768",
        ),
        (lambda c, n, h: _small_bert(c, 2, 4), "3 layers and 6 heads: the model has 2 layers, not 3"),
        (lambda c, n, h: _small_bert(c, n, 12), "12 attention heads, not 4"),
        (
            lambda c, n, h: _small_bert(CHECKPOINT, n, h),
            "hidden size 64), 1 layer and 2 heads: hidden_size is 384",
        ),
        (
            lambda c, n, h: BertForSequenceClassification(AutoConfig.from_pretrained(c, num_hidden_layers=n)),
            "without a task head",
        ),
        (lambda c, n, h: AutoConfig.from_pretrained(c, num_hidden_layers=n), "got BertConfig"),
        (lambda c, n, h: None, "returned None"),
    ],
)
def test_from_config_wrong_answers_fail(bert, answer, expected):
    passed, message = _verdict("models_from_config", answer, CHECKPOINT, bert)
    assert not passed and expected in message, message


def test_from_config_not_a_function_fails(bert):
    passed, message = _verdict("models_from_config", _small_bert(CHECKPOINT, 2, 4), CHECKPOINT, bert)
    assert not passed and "small_bert(checkpoint, num_layers, num_heads)" in message


# models_classification_head ---------------------------------------------------------------------


def _with_labels(checkpoint, labels):
    return AutoModelForSequenceClassification.from_pretrained(
        checkpoint,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )


def _from_config(checkpoint, labels):
    config = AutoConfig.from_pretrained(
        checkpoint, id2label=dict(enumerate(labels)), label2id={x: i for i, x in enumerate(labels)}
    )
    return AutoModelForSequenceClassification.from_config(config)


def _labels_after_loading(checkpoint, labels):
    model = AutoModelForSequenceClassification.from_pretrained(checkpoint)
    model.config.id2label = dict(enumerate(labels))
    model.config.label2id = {label: i for i, label in enumerate(labels)}
    return model


def test_head_right_answer_passes(bert):
    passed, message = _verdict("models_classification_head", _with_labels, CHECKPOINT, EMOTIONS, bert)
    assert passed and "6-label head" in message, message


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            lambda c, labels: AutoModelForSequenceClassification.from_pretrained(
                c, num_labels=len(labels), id2label=dict(enumerate(labels))
            ),
            "pass label2id too",
        ),
        (
            lambda c, labels: AutoModelForSequenceClassification.from_pretrained(c, num_labels=len(labels)),
            "still the default",
        ),
        (lambda c, labels: AutoModelForSequenceClassification.from_pretrained(c), "pass num_labels=6"),
        (lambda c, labels: _with_labels(c, labels[::-1]), "wrong order"),
        (
            lambda c, labels: _with_labels(c, EMOTIONS),
            "labels ['negative', 'neutral', 'positive']: num_labels is 6",
        ),
        (
            lambda c, labels: _with_labels(c, [x.upper() for x in labels]),
            "build it from the labels you are given",
        ),
        (_from_config, "not the checkpoint's"),
        (lambda c, labels: _with_labels(CHECKPOINT, labels), "saved in a folder"),
        (_labels_after_loading, "the head has 2 outputs but id2label names 6 labels"),
        (lambda c, labels: AutoModel.from_pretrained(c), "no sentence-classification head"),
        (lambda c, labels: {"labels": labels}, "got dict"),
    ],
)
def test_head_wrong_answers_fail(bert, answer, expected):
    passed, message = _verdict("models_classification_head", answer, CHECKPOINT, EMOTIONS, bert)
    assert not passed and expected in message, message


def test_head_not_a_function_fails(bert):
    passed, message = _verdict("models_classification_head", None, CHECKPOINT, EMOTIONS, bert)
    assert not passed and "with_labels(checkpoint, labels)" in message


# models_round_trip ------------------------------------------------------------------------------


def _save_and_reload(model, tokenizer, folder):
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return AutoModelForSequenceClassification.from_pretrained(folder).eval()


def _saving_then(reload):
    def save_and_reload(model, tokenizer, folder):
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
        return reload(model, folder)

    return save_and_reload


def test_round_trip_right_answer_passes(sentiment):
    model, tokenizer, inputs = sentiment
    passed, message = _verdict("models_round_trip", _save_and_reload, model, tokenizer, inputs)
    assert passed and "new model loaded from the folder" in message, message


def _saves_the_sentiment_model(model, tokenizer, folder):
    original = AutoModelForSequenceClassification.from_pretrained(SENTIMENT)
    return _save_and_reload(original, tokenizer, folder)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (lambda m, t, f: m, "you returned the model you were given"),
        (_saving_then(lambda m, f: m), "you returned the model you were given"),
        (_saving_then(lambda m, f: copy.deepcopy(m)), "not loaded from the folder"),
        (
            _saving_then(lambda m, f: AutoModelForSequenceClassification.from_pretrained(SENTIMENT)),
            f"it comes from '{SENTIMENT}'",
        ),
        (_saves_the_sentiment_model, "a model changed before saving: the weights differ (classifier"),
        (_saving_then(lambda m, f: AutoModel.from_pretrained(f)), "same Auto class"),
        (
            _saving_then(lambda m, f: AutoModelForSequenceClassification.from_pretrained(f).train()),
            "training mode",
        ),
        (
            _saving_then(
                lambda m, f: AutoModelForSequenceClassification.from_pretrained(f, num_attention_heads=6)
            ),
            "outputs differ",
        ),
        (
            _saving_then(
                lambda m, f: AutoModelForSequenceClassification.from_pretrained(
                    f, id2label={0: "bad", 1: "good"}
                )
            ),
            "id2label) differ",
        ),
        (
            _saving_then(
                lambda m, f: AutoModelForSequenceClassification.from_pretrained(f, num_hidden_layers=3)
            ),
            "different parameters",
        ),
        (
            lambda m, t, f: (m.save_pretrained(f), AutoModelForSequenceClassification.from_pretrained(f))[1],
            "no tokenizer in the folder",
        ),
        (
            lambda m, t, f: (
                t.save_pretrained(f),
                AutoModelForSequenceClassification.from_pretrained(SENTIMENT),
            )[1],
            "save the model you are given into it",
        ),
        (lambda m, t, f: None, "returned None"),
        (lambda m, t, f: str(f), "got str"),
    ],
)
def test_round_trip_wrong_answers_fail(sentiment, answer, expected):
    model, tokenizer, inputs = sentiment
    passed, message = _verdict("models_round_trip", answer, model, tokenizer, inputs)
    assert not passed and expected in message, message


def test_round_trip_not_a_function_fails(sentiment):
    model, tokenizer, inputs = sentiment
    passed, message = _verdict("models_round_trip", model, model, tokenizer, inputs)
    assert not passed and "save_and_reload(model, tokenizer, folder)" in message


def test_round_trip_leaves_the_given_model_unchanged(sentiment):
    model, tokenizer, inputs = sentiment
    before = {k: v.clone() for k, v in model.state_dict().items()}
    run_check("models_round_trip", _save_and_reload, model, tokenizer, inputs)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


# models_ids_tensor ------------------------------------------------------------------------------


def test_ids_tensor_right_answer_passes():
    passed, message = _verdict("models_ids_tensor", torch.tensor, ENCODED)
    assert passed and "[3, 4]" in message, message


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (lambda ids: ids, "a Python list"),
        (np.array, "ndarray"),
        (lambda ids: torch.tensor(ids, dtype=torch.float32), "must be integers"),
        (lambda ids: torch.tensor(ids).flatten(), "1-D tensor of 12 ids"),
        (lambda ids: torch.tensor(ids).T, "shape [4, 3]"),
        (lambda ids: torch.tensor(ids[::-1]), "unchanged and in order"),
        (lambda ids: torch.tensor(ids).squeeze(), "[[101, 7592, 2088, 999, 102]]: a 1-D tensor of 5 ids"),
        (lambda ids: torch.tensor(ids, dtype=torch.int32), "use torch.long"),
        (lambda ids: torch.tensor(ENCODED), "the same tensor came back"),
        (lambda ids: None, "returned None"),
    ],
)
def test_ids_tensor_wrong_answers_fail(answer, expected):
    passed, message = _verdict("models_ids_tensor", answer, ENCODED)
    assert not passed and expected in message, message


def test_ids_tensor_not_a_function_fails():
    passed, message = _verdict("models_ids_tensor", torch.tensor(ENCODED), ENCODED)
    assert not passed and "to_model_inputs(encoded_sequences)" in message


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("models_from_config", (CHECKPOINT, None)),
        ("models_classification_head", (CHECKPOINT, EMOTIONS, None)),
        ("models_round_trip", (None, None, None)),
        ("models_ids_tensor", (ENCODED,)),
    ],
)
def test_unanswered_exercises_say_not_yet(name, args):
    def unanswered(*_):
        raise NotImplementedError()

    passed, message = _verdict(name, unanswered, *args)
    assert not passed and "NotImplementedError" in message, message


def test_every_check_has_two_hint_levels():
    from course.checks.base import HINTS

    for name in (
        "models_from_config",
        "models_classification_head",
        "models_round_trip",
        "models_ids_tensor",
    ):
        assert len(HINTS[name]) == 2, name


def test_every_failure_message_is_reached():
    assert_every_failure_reached(course.checks.models)
