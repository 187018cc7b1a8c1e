"""07_trainer_api: plausible wrong answers fail both the self-check and the graded tests (issue #14).

The notebook runs once (module fixture); at each exercise every wrong answer below replaces the solution
cell, followed by the exercise's self-check and graded test cells (tests/exercise_harness.py). Each wrong
answer is a mistake a message of course.checks.trainer names, or a ready-made answer in place of the work
(evaluate's GLUE metric, the course's reference functions, pairs read from the notebook's own trainer).
The answers are functions on tiny inputs: no extra training.
"""

from __future__ import annotations

import pytest
from exercise_harness import define, exercise_tests, unanswered, variants

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

NAME = "chapter3/07_trainer_api.ipynb"

_flags = define("precision_flags", "device, bf16_supported")


METRICS_HEAD = "import numpy as np\nfrom sklearn.metrics import accuracy_score, f1_score\n\n\n"


def _metrics(predictions: str, accuracy: str, f1: str) -> str:
    return (
        METRICS_HEAD + "def compute_metrics(eval_pred):\n"
        "    logits, labels = eval_pred\n"
        f"    predictions = {predictions}\n"
        f'    return {{"accuracy": float({accuracy}), "f1": float({f1})}}\n'
    )


def _curves(
    train: str,
    validation: str = '(e["epoch"], e["eval_loss"])',
    source: str = "log_history",
    keep: str = '"loss" in e',
) -> str:
    return (
        "def loss_curves(log_history):\n"
        f"    train = [{train} for e in {source} if {keep}]\n"
        f'    validation = [{validation} for e in {source} if "eval_loss" in e]\n'
        "    return train, validation\n"
    )


_glue = variants(
    "import evaluate\nimport numpy as np\n\n\n"
    'def glue_compute_metrics(eval_preds, task="mrpc"):\n'
    "    metric = evaluate.load({load})\n"
    "    logits, labels = eval_preds\n"
    "    predictions = {predictions}\n"
    "    return {result}\n",
    load='"glue", task',
    predictions="np.argmax(logits, axis=-1)",
    result="metric.compute(predictions=predictions, references=labels)",
)

_build = variants(
    "from transformers import DataCollatorWithPadding, Trainer, TrainingArguments\n\n\n"
    "def build_trainer(model, tokenizer, train_dataset, eval_dataset, compute_metrics, output_dir, "
    "num_epochs=3):\n"
    '    args = TrainingArguments({folder}, {strategy}num_train_epochs={epochs}, save_strategy="no", '
    'report_to="none")\n'
    "    return Trainer(model, args, train_dataset=train_dataset, eval_dataset=eval_dataset,\n"
    "                   data_collator={collator}, {processing}compute_metrics={metrics})\n",
    folder="output_dir",
    strategy='eval_strategy="epoch", ',
    epochs="num_epochs",
    collator="DataCollatorWithPadding(tokenizer=tokenizer)",
    processing="processing_class=tokenizer, ",
    metrics="compute_metrics",
)

ARGMAX = "np.argmax(logits, axis=-1)"
ACCURACY = "accuracy_score(labels, predictions)"
F1 = "f1_score(labels, predictions, zero_division=0)"

ANSWERS = {
    "trainer_precision_solution": [
        (
            "bf16 on every GPU (a T4 has none)",
            _flags('    return {"fp16": False, "bf16": device == "cuda"}\n'),
        ),
        (
            "decides from this machine (env.device), not from the arguments",
            _flags(
                '    on_gpu = env.device == "cuda"\n'
                '    return {"fp16": on_gpu and not bf16_supported, "bf16": on_gpu and bf16_supported}\n'
            ),
        ),
        (
            "fp16 and bf16 together",
            _flags('    return {"fp16": device == "cuda", "bf16": device == "cuda" and bf16_supported}\n'),
        ),
        (
            "fp16 on the CPU",
            _flags('    return {"fp16": not bf16_supported, "bf16": bf16_supported}\n'),
        ),
        (
            "the course's reference in place of the work",
            "from course.checks.trainer import precision_flags_reference as precision_flags\n",
        ),
    ],
    "trainer_metrics_solution": [
        (
            "scikit-learn fed the logits",
            _metrics("logits", "accuracy_score(labels, logits)", "f1_score(labels, logits)"),
        ),
        (
            "macro F1, not the positive class's",
            _metrics(ARGMAX, ACCURACY, 'f1_score(labels, predictions, average="macro")'),
        ),
        (
            "F1 of class 0",
            _metrics(ARGMAX, ACCURACY, "f1_score(labels, predictions, pos_label=0, zero_division=0)"),
        ),
        ("percentages", _metrics(ARGMAX, "100 * " + ACCURACY, "100 * " + F1)),
        (
            "F1 by hand, nan when nothing is predicted positive",
            _metrics(
                ARGMAX,
                ACCURACY,
                "2 * np.sum(predictions * labels) / (np.sum(predictions) + np.sum(labels)) "
                "if np.sum(predictions) else float('nan')",
            ),
        ),
        ("positive when the logit is above 0", _metrics("(logits[:, 1] > 0).astype(int)", ACCURACY, F1)),
        (
            "the course's compute_metrics (evaluate's GLUE metric) in place of the work",
            "import evaluate\nimport numpy as np\n\n\n"
            "def compute_metrics(eval_preds):\n"
            '    metric = evaluate.load("glue", "mrpc")\n'
            "    logits, labels = eval_preds\n"
            "    predictions = np.argmax(logits, axis=-1)\n"
            "    return metric.compute(predictions=predictions, references=labels)\n",
        ),
        (
            "the notebook's metric object in place of the work",
            "import numpy as np\n\n\n"
            "def compute_metrics(eval_pred):\n"
            "    logits, labels = eval_pred\n"
            "    return metric.compute(predictions=np.argmax(logits, axis=-1), references=labels)\n",
        ),
    ],
    "trainer_curves_solution": [
        (
            "the run's summary kept",
            _curves(
                '(e["epoch"], e.get("loss", e.get("train_loss")))', keep='"loss" in e or "train_loss" in e'
            ),
        ),
        ("steps, not epochs", _curves('(e["step"], e["loss"])', '(e["step"], e["eval_loss"])')),
        (
            "validation losses in the training list",
            "def loss_curves(log_history):\n"
            '    train = [(e["epoch"], e.get("loss", e.get("eval_loss"))) for e in log_history\n'
            '             if "loss" in e or "eval_loss" in e]\n'
            '    validation = [(e["epoch"], e["eval_loss"]) for e in log_history if "eval_loss" in e]\n'
            "    return train, validation\n",
        ),
        (
            "the summary popped off the log it was given",
            "def loss_curves(log_history):\n"
            '    if "train_loss" in log_history[-1]:\n'
            "        log_history.pop()\n"
            '    train = [(e["epoch"], e["loss"]) for e in log_history if "loss" in e]\n'
            '    validation = [(e["epoch"], e["eval_loss"]) for e in log_history if "eval_loss" in e]\n'
            "    return train, validation\n",
        ),
        (
            "the notebook's trainer.state.log_history, not the argument",
            _curves('(e["epoch"], e["loss"])', source="trainer.state.log_history"),
        ),
        (
            "the course's own loss_curves in place of the work",
            "from course.viz.training import loss_curves\n",
        ),
        (
            "a wrapper around the course's reference",
            "from course.checks.trainer import loss_curves_reference as _reference\n\n\n"
            "def loss_curves(log_history):\n"
            "    return _reference(log_history)\n",
        ),
    ],
    "trainer_glue_solution": [
        ("always MRPC's metric, whatever the task", _glue(load='"glue", "mrpc"')),
        ("the logits fed to the metric", _glue(predictions="logits")),
        ("argmax over the examples (axis 0)", _glue(predictions="np.argmax(logits, axis=0)")),
        (
            "accuracy only, by hand",
            _glue(result='{"accuracy": float(np.mean(predictions == labels))}'),
        ),
        unanswered('glue_compute_metrics(eval_preds, task="mrpc")'),
    ],
    "trainer_build_solution": [
        ("no evaluation strategy (the default: never)", _build(strategy="")),
        ("the notebook's data_collator (bert-base-uncased pads with 0)", _build(collator="data_collator")),
        ("the notebook's compute_metrics, not the argument", _build(metrics="glue_compute_metrics")),
        ("no processing_class", _build(processing="")),
        ("always 3 epochs", _build(epochs="3")),
        unanswered(
            "build_trainer(model, tokenizer, train_dataset, eval_dataset, compute_metrics, output_dir, "
            "num_epochs=3)"
        ),
    ],
}


exercises, test_wrong_answers_fail_both_the_self_check_and_the_tests, test_the_untouched_student_notebook = (
    exercise_tests(NAME, ANSWERS)
)
