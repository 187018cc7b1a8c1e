"""The checks of "Models": each passes a right answer and fails realistic wrong ones."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import (
    AutoModel,
    AutoModelForSequenceClassification,
    BertConfig,
    BertForSequenceClassification,
    BertModel,
)

from course.checks import run_check

EMOTIONS = ["sadness", "joy", "love", "anger", "fear", "surprise"]
ENCODED = [[101, 7592, 999, 102], [101, 4658, 1012, 102], [101, 3835, 999, 102]]


def _verdict(name, *args, **kwargs):
    result = run_check(name, *args, **kwargs)
    return result.passed, result.message


@pytest.fixture(scope="module")
def bert():
    return AutoModel.from_pretrained("bert-base-uncased").eval()


@pytest.fixture(scope="module")
def emotion_model():
    return AutoModelForSequenceClassification.from_pretrained(
        "bert-base-uncased",
        num_labels=6,
        id2label=dict(enumerate(EMOTIONS)),
        label2id={label: i for i, label in enumerate(EMOTIONS)},
    )


def _small_config(**changes):
    """A tiny BERT (fast to build and save) for the round-trip tests."""
    options = dict(
        vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64
    )
    options.update(changes)
    return BertConfig(**options)


# models_from_config -----------------------------------------------------------------------------


def _edited_config(bert, layers=2, heads=4):
    config = BertConfig.from_dict(bert.config.to_dict())
    config.num_hidden_layers, config.num_attention_heads = layers, heads
    return config


def test_from_config_right_answer_passes(bert):
    passed, message = _verdict("models_from_config", BertModel(_edited_config(bert)), 2, 4, reference=bert)
    assert passed and "random weights" in message


def test_from_config_with_pretrained_weights_fails(bert):
    loaded = AutoModel.from_pretrained("bert-base-uncased", num_hidden_layers=2, num_attention_heads=4)
    passed, message = _verdict("models_from_config", loaded, 2, 4, reference=bert)
    assert not passed and "BertModel(config)" in message and "trained" in message


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda b: BertModel(_edited_config(b, layers=6)), "6 layers"),
        (lambda b: BertModel(_edited_config(b, heads=12)), "12 attention heads"),
        (lambda b: BertForSequenceClassification(_edited_config(b)), "without a task head"),
        (lambda b: BertModel(_small_config()), "hidden_size is 32"),
        (lambda b: _edited_config(b), "got BertConfig"),
    ],
)
def test_from_config_wrong_answers_fail(bert, build, expected):
    passed, message = _verdict("models_from_config", build(bert), 2, 4, reference=bert)
    assert not passed and expected in message, message


# models_classification_head ---------------------------------------------------------------------


def test_head_right_answer_passes(emotion_model, bert):
    passed, message = _verdict("models_classification_head", emotion_model, EMOTIONS, reference=bert)
    assert passed and "6-label head" in message


def test_head_without_label2id_fails(bert):
    model = AutoModelForSequenceClassification.from_pretrained(
        "bert-base-uncased", num_labels=6, id2label=dict(enumerate(EMOTIONS))
    )
    passed, message = _verdict("models_classification_head", model, EMOTIONS, reference=bert)
    assert not passed and "pass label2id too" in message


def test_head_with_default_labels_fails():
    model = BertForSequenceClassification(_small_config(num_labels=6))
    passed, message = _verdict("models_classification_head", model, EMOTIONS)
    assert not passed and "still the default" in message


def test_head_with_two_labels_fails(classifier):
    passed, message = _verdict("models_classification_head", classifier, EMOTIONS)
    assert not passed and "num_labels=6" in message


def test_head_in_wrong_order_fails():
    shuffled = EMOTIONS[::-1]
    config = _small_config(
        num_labels=6, id2label=dict(enumerate(shuffled)), label2id={x: i for i, x in enumerate(shuffled)}
    )
    passed, message = _verdict("models_classification_head", BertForSequenceClassification(config), EMOTIONS)
    assert not passed and "wrong order" in message


def test_head_on_a_random_body_fails(bert):
    config = BertConfig.from_dict(bert.config.to_dict())
    config.num_labels = 6
    config.id2label = dict(enumerate(EMOTIONS))
    config.label2id = {label: i for i, label in enumerate(EMOTIONS)}
    model = AutoModelForSequenceClassification.from_config(config)
    passed, message = _verdict("models_classification_head", model, EMOTIONS, reference=bert)
    assert not passed and "not the checkpoint's" in message


def test_head_on_a_bare_model_fails(bert):
    passed, message = _verdict("models_classification_head", bert, EMOTIONS)
    assert not passed and "AutoModelForSequenceClassification.from_pretrained" in message


# models_round_trip ------------------------------------------------------------------------------


@pytest.fixture()
def saved(tmp_path):
    torch.manual_seed(0)
    model = BertForSequenceClassification(_small_config(num_labels=6, id2label=dict(enumerate(EMOTIONS))))
    model.save_pretrained(tmp_path)
    return model.eval(), tmp_path


def test_round_trip_right_answer_passes(saved):
    model, path = saved
    assert sorted(p.name for p in path.iterdir()) == ["config.json", "model.safetensors"]
    reloaded = AutoModelForSequenceClassification.from_pretrained(path).eval()
    passed, message = _verdict("models_round_trip", reloaded, model, torch.tensor(ENCODED))
    assert passed and "identical" in message


def test_round_trip_in_training_mode_fails(saved):
    model, path = saved
    reloaded = AutoModelForSequenceClassification.from_pretrained(path).train()
    passed, message = _verdict("models_round_trip", reloaded, model, torch.tensor(ENCODED))
    assert not passed and "training mode" in message and ".eval()" in message


def test_round_trip_from_a_fresh_model_fails(saved):
    model, _ = saved
    torch.manual_seed(1)
    fresh = BertForSequenceClassification(
        _small_config(num_labels=6, id2label=dict(enumerate(EMOTIONS)))
    ).eval()
    passed, message = _verdict("models_round_trip", fresh, model, torch.tensor(ENCODED))
    assert not passed and "weights differ" in message


def test_round_trip_with_other_labels_fails(saved):
    model, _ = saved
    other = BertForSequenceClassification(_small_config(num_labels=6)).eval()
    passed, message = _verdict("models_round_trip", other, model, torch.tensor(ENCODED))
    assert not passed and "id2label" in message


def test_round_trip_as_bare_model_fails(saved):
    model, path = saved
    bare = BertModel.from_pretrained(path).eval()
    passed, message = _verdict("models_round_trip", bare, model, torch.tensor(ENCODED))
    assert not passed and "BertModel" in message and "same Auto class" in message


# models_ids_tensor ------------------------------------------------------------------------------


def test_ids_tensor_right_answer_passes():
    passed, message = _verdict("models_ids_tensor", torch.tensor(ENCODED), ENCODED)
    assert passed and "[3, 4]" in message


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (ENCODED, "a Python list"),
        (np.array(ENCODED), "ndarray"),
        (torch.tensor(ENCODED, dtype=torch.float32), "must be integers"),
        (torch.tensor(ENCODED).flatten(), "1-D tensor of 12 ids"),
        (torch.tensor(ENCODED).T, "shape [4, 3]"),
        (torch.tensor(ENCODED[::-1]), "unchanged and in order"),
    ],
)
def test_ids_tensor_wrong_answers_fail(answer, expected):
    passed, message = _verdict("models_ids_tensor", answer, ENCODED)
    assert not passed and expected in message, message


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("models_from_config", (None, 2, 4)),
        ("models_classification_head", (None, EMOTIONS)),
        ("models_round_trip", (None, None, None)),
        ("models_ids_tensor", (None, ENCODED)),
    ],
)
def test_unanswered_exercises_say_so(name, args):
    passed, message = _verdict(name, *args)
    assert not passed and message.startswith("no answer yet"), message
