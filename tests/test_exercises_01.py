"""Issue #14, notebook 01 (Behind the pipeline): plausible wrong answers to every exercise, each the full
source of the solution cell, fail both the self-check and the graded test cells; the solution passes both.

The wrong answers are the mistakes the checks' messages name: padding="max_length" (the reviewer's
`padding="max_length", max_length=12`), no truncation, a fixed max_length, the notebook's tokenizer or
sentences instead of the ones given, NumPy arrays, unpadded lists; raw logits, softmax over the batch
(dim=0), sigmoid, exp without normalising; the pipeline's own `results` (the reviewer's
`my_predictions = results`), the notebook model's label names, label indices, tensor scores, raw logits as
scores. Each exercise is also fed the untouched stub (`raise NotImplementedError()`), and the released
student notebook runs to the end with only its graded test cells failing.
"""

from __future__ import annotations

import pytest
from exercise_harness import define, exercise_tests, unanswered

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

NAME = "chapter2/01_behind_the_pipeline.ipynb"

make_batch = define("make_batch", "sentences, tokenizer, max_length")


def tokenize(options: str, sentences: str = "sentences") -> str:
    """make_batch's body: the tokenizer called with `options`."""
    return f"return tokenizer({sentences}, {options})"


RIGHT = 'padding=True, truncation=True, max_length=max_length, return_tensors="pt"'


to_probabilities = define("to_probabilities", "logits")


def to_predictions(label: str, score: str, rows: str = "for row in probabilities") -> str:
    return (
        "def to_predictions(logits, id2label):\n"
        "    probabilities = torch.softmax(logits, dim=-1)\n"
        f'    return [{{"label": {label}, "score": {score}}} {rows}]\n'
    )


MY_TEXTS = '["Trains were late all week, and nobody told us why.", "A delightful surprise."]'


def by_hand(body: str, texts: str = MY_TEXTS, results: str = "classifier(my_texts)") -> str:
    """The try-it-out cell: `by_hand` with `body`, then the learner's texts and the pipeline's results."""
    return (
        "def by_hand(texts, tokenizer, model):\n"
        f"{body}"
        "\n\nmy_texts, my_results = [], None\n"
        f"my_texts = {texts}\n"
        f"my_results = {results}\n"
    )


ENCODE = '    encoded = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")\n'


def steps(
    call: str = "model(**encoded).logits",
    probabilities: str = "torch.softmax(logits, dim=-1)",
    label: str = "model.config.id2label[best]",
    score: str = "row[best].item()",
) -> str:
    """by_hand's body: the three stages, with one of them changed."""
    return (
        ENCODE
        + f"    with torch.no_grad():\n        logits = {call}\n"
        + f"    rows = {probabilities}\n"
        + "    answers = []\n    for row in rows:\n        best = int(row.argmax())\n"
        + f'        answers.append({{"label": {label}, "score": {score}}})\n    return answers\n'
    )


ANSWERS = {
    "try_by_hand_solution": [
        ("no attention mask", by_hand(steps(call='model(input_ids=encoded["input_ids"]).logits'))),
        (
            "the pipeline itself inside by_hand",
            by_hand('    return pipeline("sentiment-analysis", model=model, tokenizer=tokenizer)(texts)\n'),
        ),
        (
            "the notebook's model, not the one given",
            by_hand(steps(call="classifier_model(**encoded).logits")),
        ),
        ("tensor scores", by_hand(steps(score="row[best]"))),
        ("sigmoid, not softmax", by_hand(steps(probabilities="torch.sigmoid(logits)"))),
        ("label names hard-coded", by_hand(steps(label='["NEGATIVE", "POSITIVE"][best % 2]'))),
        (
            "the course's sentences, not texts of one's own",
            by_hand(steps(), texts="list(raw_inputs)"),
        ),
        ("one text only", by_hand(steps(), texts='["Just one text."]')),
        (
            "unanswered (the student stub)",
            "def by_hand(texts, tokenizer, model):\n    raise NotImplementedError()\n\n\n"
            "my_texts, my_results = [], None\nraise NotImplementedError()\n",
        ),
    ],
    "ex1_batch_solution": [
        (
            "padding to max_length",
            make_batch(tokenize(RIGHT.replace("padding=True", 'padding="max_length"'))),
        ),
        (
            "padding='max_length' with max_length=12 hard-coded",
            make_batch(tokenize('padding="max_length", truncation=True, max_length=12, return_tensors="pt"')),
        ),
        ("no truncation", make_batch(tokenize('padding=True, return_tensors="pt"'))),
        (
            "max_length hard-coded to 12",
            make_batch(tokenize(RIGHT.replace("max_length=max_length", "max_length=12"))),
        ),
        (
            "the notebook's tokenizer, not the one given",
            make_batch(tokenize(RIGHT), params="sentences, given_tokenizer, max_length"),
        ),
        ("the notebook's sentences, not the ones given", make_batch(tokenize(RIGHT, "exercise_sentences"))),
        ("NumPy arrays", make_batch(tokenize(RIGHT.replace('"pt"', '"np"')))),
        ("lists, not padded", make_batch(tokenize("truncation=True, max_length=max_length"))),
        unanswered("make_batch(sentences, tokenizer, max_length)"),
    ],
    "ex2_softmax_solution": [
        ("the raw logits", to_probabilities("return logits")),
        ("softmax over the batch (dim=0)", to_probabilities("return torch.softmax(logits, dim=0)")),
        ("sigmoid", to_probabilities("return torch.sigmoid(logits)")),
        ("exp without normalising", to_probabilities("return torch.exp(logits)")),
        (
            "the notebook's probabilities",
            to_probabilities("return torch.softmax(classifier_model(**inputs).logits.detach(), dim=-1)"),
        ),
        unanswered("to_probabilities(logits)"),
    ],
    "ex3_predictions_solution": [
        ("the pipeline's own results", "def to_predictions(logits, id2label):\n    return results\n"),
        (
            "the notebook model's label names, not id2label",
            to_predictions("classifier_model.config.id2label[int(row.argmax())]", "row.max().item()"),
        ),
        ("label indices, not names", to_predictions("int(row.argmax())", "row.max().item()")),
        ("tensor scores", to_predictions("id2label[int(row.argmax())]", "row.max()")),
        (
            "raw logits as scores",
            to_predictions(
                "id2label[int(row.argmax())]",
                "raw.max().item()",
                "for row, raw in zip(probabilities, logits)",
            ),
        ),
        (
            "the probability of the first label as the score",
            to_predictions("id2label[int(row.argmax())]", "row[0].item()"),
        ),
        unanswered("to_predictions(logits, id2label)"),
    ],
}


def said(attempt) -> str:
    """What the self-check printed, its lines joined (messages wrap at 80 columns in the notebook)."""
    return " ".join(attempt.self_check.split())


exercises, test_wrong_answers_fail_both_the_self_check_and_the_tests, test_the_untouched_student_notebook = (
    exercise_tests(NAME, ANSWERS)
)


def test_the_reviewers_answers_are_named(exercises):
    batch = {a.label: a for a in exercises["ex1_batch_solution"].answers}
    assert "longest sentence needs only" in said(batch["padding='max_length' with max_length=12 hard-coded"])
    assert "not of the tokenizer passed in" in said(batch["the notebook's tokenizer, not the one given"])
    results = exercises["ex3_predictions_solution"].answer("results")
    assert "not from `results`" in said(results), results
