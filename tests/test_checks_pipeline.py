"""The checks of "Behind the pipeline": each passes a right answer and fails realistic wrong ones.

The checks take the learner's function; every failure message is reached by one test here (the last
test proves it).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from message_coverage import assert_every_failure_reached

import course.checks.pipeline
from course.checks import run_check
from course.checks.other_objects import reversed_ids_tokenizer

SENTENCES = [
    "Transformers turn text into numbers.",
    "I've been waiting for a HuggingFace course my whole life, and it is finally here for everyone!",
    "Great!",
]
SHORT = ["Great!", "Hello there."]
MAX_LENGTH = 12
ID2LABEL = {0: "NEGATIVE", 1: "POSITIVE"}
LOGITS = torch.tensor([[-1.5, 1.7], [2.2, -1.9], [0.3, 0.1]])


def _verdict(name, *args, **kwargs):
    result = run_check(name, *args, **kwargs)
    return result.passed, result.message


def _tokenize(**changes):
    """make_batch with the tokenizer's options changed."""

    def make_batch(sentences, tokenizer, max_length):
        options = dict(padding=True, truncation=True, max_length=max_length, return_tensors="pt")
        options.update(changes)
        return tokenizer(sentences, **options)

    return make_batch


# pipeline_batch ---------------------------------------------------------------------------------


def test_batch_right_answer_passes(tokenizer):
    passed, message = _verdict("pipeline_batch", _tokenize(), tokenizer, SENTENCES, MAX_LENGTH)
    assert passed, message
    assert "[3, 12]" in message and "any tokenizer" in message


@pytest.mark.parametrize(
    ("make_batch", "expected"),
    [
        (_tokenize(truncation=False, max_length=None), "more than max_length=12: pass truncation=True"),
        (_tokenize(padding="max_length"), "longest sentence needs only 5"),
        (_tokenize(max_length=MAX_LENGTH), "truncated to 12 tokens, but max_length is 8"),
        (_tokenize(padding=False, return_tensors=None), "padding=True so the rows have one length"),
        (_tokenize(return_tensors="np"), "ndarray, not a torch.Tensor"),
        (_tokenize(add_special_tokens=False), "do not start with [CLS] (id 101"),
        (
            lambda s, t, m: t(s[::-1], padding=True, truncation=True, max_length=m, return_tensors="pt"),
            "row 0",
        ),
        (lambda s, t, m: t(s[0], return_tensors="pt"), "1 rows for 3 sentences"),
        (lambda s, t, m: [t.tokenize(x) for x in s], "got list"),
        (lambda s, t, m: {"input_ids": torch.ones(3, 12, dtype=torch.long)}, "no attention_mask"),
        (
            lambda s, t, m: {"input_ids": torch.ones(36, dtype=torch.long), "attention_mask": 1},
            "a batch is 2-D",
        ),
    ],
)
def test_batch_wrong_answers_fail(tokenizer, make_batch, expected):
    passed, message = _verdict("pipeline_batch", make_batch, tokenizer, SENTENCES, MAX_LENGTH)
    assert not passed and expected in message, message


def test_batch_with_the_notebooks_tokenizer_fails(tokenizer):
    def make_batch(sentences, _, max_length):
        return tokenizer(sentences, padding=True, truncation=True, max_length=max_length, return_tensors="pt")

    passed, message = _verdict("pipeline_batch", make_batch, tokenizer, SENTENCES, MAX_LENGTH)
    assert not passed and "ids are not BERT's" in message and "`tokenizer` argument" in message


def test_batch_whose_mask_covers_padding_fails(tokenizer):
    def make_batch(sentences, tokenizer, max_length):
        batch = _tokenize()(sentences, tokenizer, max_length)
        batch["attention_mask"] = (batch["input_ids"] != 0).long()  # BERT's pad id, hard-coded
        return batch

    passed, message = _verdict("pipeline_batch", make_batch, tokenizer, SENTENCES, MAX_LENGTH)
    other = reversed_ids_tokenizer(tokenizer)
    assert not passed and f"pad_token_id ({other.pad_token_id})" in message, message


def test_batch_shape_other_than_the_tokenizers_fails(tokenizer):
    passed, message = _verdict("pipeline_batch", _tokenize(add_special_tokens=False), tokenizer, SHORT, 12)
    assert not passed and "shape [2, 3]; padding=True and truncation give [2, 5]" in message, message


def test_batch_not_a_function_fails(tokenizer):
    batch = _tokenize()(SENTENCES, tokenizer, MAX_LENGTH)
    passed, message = _verdict("pipeline_batch", batch, tokenizer, SENTENCES, MAX_LENGTH)
    assert not passed and "expected your function make_batch" in message


def test_unanswered_batch_says_not_yet(tokenizer):
    def make_batch(sentences, tokenizer, max_length):
        raise NotImplementedError()

    passed, message = _verdict("pipeline_batch", make_batch, tokenizer, SENTENCES, MAX_LENGTH)
    assert not passed and "NotImplementedError" in message


# pipeline_probabilities -------------------------------------------------------------------------


def test_probabilities_right_answer_passes():
    passed, message = _verdict("pipeline_probabilities", lambda x: torch.softmax(x, dim=-1), LOGITS)
    assert passed and "dim=-1" in message


def test_probabilities_accept_numpy():
    passed, _ = _verdict("pipeline_probabilities", lambda x: torch.softmax(x, dim=-1).numpy(), LOGITS)
    assert passed


def _in_place(x):
    x -= x.max(dim=-1, keepdim=True).values
    return torch.softmax(x, dim=-1)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (lambda x: x, "raw logits"),
        (lambda x: torch.softmax(x, dim=0), "dim=0"),
        (lambda x: torch.sigmoid(x), "sigmoid"),
        (lambda x: torch.softmax(x, dim=-1)[:2], "shape [2, 2]"),
        (lambda x: torch.softmax(x * 2, dim=-1), "differ from softmax(logits)"),
        (lambda x: torch.exp(x), "not 1"),
        (lambda x: None, "returned None"),
        (lambda x: "probabilities", "got str"),
        (lambda x: torch.softmax(LOGITS, dim=-1), "the notebook's probabilities came back"),
        (_in_place, "changed the logits it was given"),
    ],
)
def test_probabilities_wrong_answers_fail(answer, expected):
    passed, message = _verdict("pipeline_probabilities", answer, LOGITS)
    assert not passed and expected in message, message


def test_probabilities_on_a_square_batch_find_dim_0_on_other_shapes():
    square = torch.tensor([[1.0, 2.0], [0.5, -0.5]])
    passed, message = _verdict("pipeline_probabilities", lambda x: torch.softmax(x, dim=0), square)
    assert not passed and "dim=0" in message


def test_probabilities_not_a_function_fails():
    passed, message = _verdict("pipeline_probabilities", torch.softmax(LOGITS, dim=-1), LOGITS)
    assert not passed and "to_probabilities(logits)" in message


# pipeline_predictions ---------------------------------------------------------------------------


def _right(logits, id2label):
    probs = torch.softmax(logits, dim=-1)
    return [{"label": id2label[int(p.argmax())], "score": p.max().item()} for p in probs]


def test_predictions_right_answer_passes():
    passed, message = _verdict("pipeline_predictions", _right, LOGITS, ID2LABEL)
    assert passed and "id2label" in message


def test_predictions_accept_string_keys_in_id2label():
    passed, _ = _verdict("pipeline_predictions", _right, LOGITS, {"0": "NEGATIVE", "1": "POSITIVE"})
    assert passed


def _edited(index, change):
    def to_predictions(logits, id2label):
        predictions = _right(logits, id2label)
        predictions[index] = {**predictions[index], **change(logits, id2label)}
        return predictions

    return to_predictions


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (_edited(0, lambda x, n: {"label": 1}), "is an index"),
        (_edited(0, lambda x, n: {"label": "NEGATIVE"}), "largest logit is 'POSITIVE'"),
        (_edited(1, lambda x, n: {"label": "negative"}), "not one of the model's labels"),
        (_edited(0, lambda x, n: {"score": float(x[0].max())}), "raw logit"),
        (
            _edited(0, lambda x, n: {"score": float(torch.softmax(x, -1)[0].min())}),
            "probability of another label",
        ),
        (_edited(2, lambda x, n: {"score": torch.tensor(0.55)}), "is a tensor"),
        (_edited(2, lambda x, n: {"score": 0.9}), "softmax of the logits gives"),
        (_edited(2, lambda x, n: {"score": "high"}), "is not a number"),
        (lambda x, n: _right(x, n)[0], "a single dict"),
        (lambda x, n: _right(x, n)[:2], "2 predictions for 3 sentences"),
        (lambda x, n: [("POSITIVE", 0.9)] * len(x), "keys 'label' and 'score'"),
        (lambda x, n: torch.softmax(x, -1), "list of dicts"),
        (lambda x, n: None, "returned None"),
    ],
)
def test_predictions_wrong_answers_fail(answer, expected):
    passed, message = _verdict("pipeline_predictions", answer, LOGITS, ID2LABEL)
    assert not passed and expected in message, message


def test_predictions_with_the_pipelines_names_fail_on_three_labels():
    def to_predictions(logits, id2label):
        return _right(logits, {0: "NEGATIVE", 1: "POSITIVE", 2: "POSITIVE"})

    passed, message = _verdict("pipeline_predictions", to_predictions, LOGITS, ID2LABEL)
    assert not passed and "three labels" in message and "not one of the model's labels" in message


def test_predictions_with_the_notebooks_id2label_fail_on_three_labels():
    def to_predictions(logits, id2label):
        return _right(logits, ID2LABEL)

    passed, message = _verdict("pipeline_predictions", to_predictions, LOGITS, ID2LABEL)
    assert not passed and "KeyError 2" in message and "the id2label you are given" in message, message


def test_predictions_with_tensor_keys_fail():
    def to_predictions(logits, id2label):
        probs = torch.softmax(logits, dim=-1)
        return [{"label": id2label[p.argmax()], "score": p.max().item()} for p in probs]

    passed, message = _verdict("pipeline_predictions", to_predictions, LOGITS, ID2LABEL)
    assert not passed and "id2label[int(index)]" in message, message


def test_the_pipelines_own_results_fail():
    """Returning the pipeline's output (the reviewer's `my_predictions = results`) is not the work."""
    from transformers import pipeline

    classifier = pipeline("sentiment-analysis")  # no model named: the pinned default (offline, its stand-in)
    sentences = ["I've been waiting for a HuggingFace course my whole life.", "I hate this so much!"]
    results = classifier(sentences)
    inputs = classifier.tokenizer(sentences, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        logits = classifier.model(**inputs).logits
    id2label = classifier.model.config.id2label
    passed, message = _verdict("pipeline_predictions", _right, logits, id2label)
    assert passed, message
    passed, message = _verdict("pipeline_predictions", lambda x, n: results, logits, id2label)
    assert not passed and "not from `results`" in message, message


def test_predictions_not_a_function_fails():
    passed, message = _verdict("pipeline_predictions", _right(LOGITS, ID2LABEL), LOGITS, ID2LABEL)
    assert not passed and "to_predictions(logits, id2label)" in message


def test_checks_do_not_raise_on_garbage(tokenizer):
    for name, args in [
        ("pipeline_batch", (lambda *a: object(), tokenizer, SENTENCES)),
        ("pipeline_probabilities", (lambda x: "not a tensor", LOGITS)),
        ("pipeline_predictions", (lambda x, n: 42, np.zeros((3, 2)), ID2LABEL)),
        ("pipeline_predictions", (lambda x, n: [{"label": torch.ones(2), "score": 1}] * 3, LOGITS, ID2LABEL)),
    ]:
        result = run_check(name, *args)
        assert not result.passed and result.message


def test_every_check_has_two_hint_levels():
    from course.checks.base import HINTS

    for name in ("pipeline_batch", "pipeline_probabilities", "pipeline_predictions"):
        assert len(HINTS[name]) == 2, name


# pipeline_try_by_hand -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sentiment(classifier):
    """A classifier with a confident seeded head and the pipeline's label names, and its pipeline."""

    from course.checks.other_objects import changed_classifier

    model = changed_classifier(classifier, labels=("NEGATIVE", "POSITIVE"), seed=5, scale=2.0)
    return model


MY_TEXTS = ["Trains were late all week, and nobody told us why.", "A delightful surprise."]


def steps(texts, tokenizer, model, *, mask=True, probabilities=None, label=None, score=None):
    """The section's three stages, one of them changed."""
    batch = tokenizer(list(texts), padding=True, truncation=True, return_tensors="pt")
    inputs = dict(batch) if mask else {"input_ids": batch["input_ids"]}
    with torch.no_grad():
        logits = model(**inputs).logits
    rows = (probabilities or (lambda x: torch.softmax(x, dim=-1)))(logits)
    names = model.config.id2label
    out = []
    for row in rows:
        best = int(row.argmax())
        out.append(
            {
                "label": (label or (lambda b, r: names[b]))(best, row),
                "score": (score or (lambda b, r: r[b].item()))(best, row),
            }
        )
    return out


def _by_hand_verdict(by_hand, tokenizer, model, texts=MY_TEXTS, results=None):
    from transformers import pipeline

    pipe = pipeline("sentiment-analysis", model=model, tokenizer=tokenizer)
    results = pipe(list(texts)) if results is None else results
    return run_check("pipeline_try_by_hand", list(texts), results, by_hand, tokenizer, model, pipe)


def test_by_hand_right(tokenizer, sentiment):
    result = _by_hand_verdict(steps, tokenizer, sentiment)
    assert result.passed, result.message


@pytest.mark.parametrize(
    "wrong, texts, results, said",
    [
        (steps, MY_TEXTS[:1], None, "two or more texts"),
        (steps, list(course.checks.pipeline.COURSE_TEXTS), None, "only the course's sentences"),
        (steps, MY_TEXTS, [], "not what pipeline('sentiment-analysis') returns"),
        (lambda t, k, m: [], MY_TEXTS, None, "expected a list of 2 dicts"),
        (lambda t, k, m: ["x"] * len(t), MY_TEXTS, None, "is not a dict"),
        (lambda t, k, m: steps(t, k, m, label=lambda b, r: b), MY_TEXTS, None, "not a label name"),
        (
            lambda t, k, m: steps(t, k, m, label=lambda b, r: "HAPPY"),
            MY_TEXTS,
            None,
            "is not a label of the model",
        ),
        (lambda t, k, m: steps(t, k, m, score=lambda b, r: r[b]), MY_TEXTS, None, "gives a Python float"),
        (lambda t, k, m: steps(t, k, m, mask=False), MY_TEXTS, None, "cannot tell the padding from the text"),
        (
            lambda t, k, m: steps(t, k, m, label=lambda b, r: m.config.id2label[int(r.argmin())]),
            MY_TEXTS,
            None,
            "but the most probable label is",
        ),
        (
            lambda t, k, m: __import__("transformers").pipeline("sentiment-analysis", model=m, tokenizer=k)(
                t
            ),
            MY_TEXTS,
            None,
            "scores such a model's labels one by one",
        ),
        (lambda t, k, m: steps(t, k, m, score=lambda b, r: r.min().item()), MY_TEXTS, None, "another label"),
        (
            lambda t, k, m: steps(t, k, m, score=lambda b, r: r[b].item() / 2),
            MY_TEXTS,
            None,
            "but the probability of",
        ),
    ],
)
def test_by_hand_wrong(tokenizer, sentiment, wrong, texts, results, said):
    result = _by_hand_verdict(wrong, tokenizer, sentiment, texts, results)
    assert not result.passed and said in result.message, result.message


def test_by_hand_on_the_notebooks_model_only_fails_on_other_models(tokenizer, sentiment):
    result = _by_hand_verdict(lambda t, k, m: steps(t, tokenizer, sentiment), tokenizer, sentiment)
    assert not result.passed and "a model with a new head" in result.message, result.message


def test_every_failure_message_is_reached():
    assert_every_failure_reached(course.checks.pipeline)
