"""Checks of notebook 07 "The Trainer API": each fed a right answer and realistic wrong ones."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from message_coverage import assert_every_failure_reached
from sklearn.metrics import accuracy_score, f1_score

import course.checks.trainer
from course.checks import run_check
from course.checks.trainer import (
    compute_metrics_reference,
    loss_curves_reference,
    own_work,
    precision_flags_reference,
    sample_log_history,
)


def _verdict(name, *args):
    result = run_check(name, *args)
    return result.passed, result.message


# ---- trainer_precision_flags -------------------------------------------------------------------


def _precision_flags(device, bf16_supported):  # a learner's right answer
    on_gpu = device == "cuda"
    return {"fp16": on_gpu and not bf16_supported, "bf16": on_gpu and bf16_supported}


def test_precision_flags_right_answer_passes():
    passed, message = _verdict("trainer_precision_flags", _precision_flags)
    assert passed, message


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        (lambda device, bf16: {"fp16": False, "bf16": False}, "for every device and GPU"),
        (lambda device, bf16: {"fp16": device == "cuda", "bf16": False}, "this GPU supports bf16"),
        (
            lambda device, bf16: {"fp16": device == "cuda", "bf16": device == "cuda" and bf16},
            "fp16 and bf16 together",
        ),
        (lambda device, bf16: {"fp16": not bf16, "bf16": bf16}, "keep full precision"),
        (lambda device, bf16: {"fp16": False, "bf16": device == "cuda"}, "no bf16 (e.g. a T4)"),
        (lambda device, bf16: {"fp16": device == "cuda"}, "exactly the keys 'fp16' and 'bf16'"),
        (lambda device, bf16: (False, False), "exactly the keys"),
        (lambda device, bf16: {"fp16": 0, "bf16": 0}, "use the booleans True and False"),
        (precision_flags_reference, "precision_flags_reference"),
        (lambda device, bf16: course.checks.trainer.precision_flags_reference(device, bf16), "switched off"),
        ({"fp16": False, "bf16": False}, "pass your function itself"),
    ],
    ids=[
        "never",
        "fp16_only",
        "both",
        "cpu_fp16",
        "bf16_everywhere",
        "missing_key",
        "tuple",
        "ints",
        "reference",
        "wrapped_reference",
        "the_flags",
    ],
)
def test_precision_flags_wrong_answers_fail(answer, needle):
    passed, message = _verdict("trainer_precision_flags", answer)
    assert not passed
    assert needle in message, message


# ---- trainer_compute_metrics -------------------------------------------------------------------


def _right(eval_pred):
    logits, labels = eval_pred
    predictions = np.argmax(logits, axis=-1)
    return {
        "accuracy": accuracy_score(labels, predictions),
        "f1": f1_score(labels, predictions, zero_division=0),
    }


def _sklearn_default_warning(eval_pred):  # zero_division="warn" also returns 0.0
    logits, labels = eval_pred
    predictions = logits.argmax(-1)
    return {"accuracy": float((predictions == labels).mean()), "f1": float(f1_score(labels, predictions))}


def test_compute_metrics_right_answers_pass():
    for answer in (_right, _sklearn_default_warning):
        passed, message = _verdict("trainer_compute_metrics", answer)
        assert passed, message


def _no_argmax(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": accuracy_score(labels, logits), "f1": f1_score(labels, logits)}


def _argmax_axis0(eval_pred):
    logits, labels = eval_pred
    predictions = np.argmax(logits, axis=0)
    return {"accuracy": accuracy_score(labels, predictions), "f1": f1_score(labels, predictions)}


def _handmade_f1(eval_pred):
    logits, labels = eval_pred
    predictions = logits.argmax(-1)
    tp = np.float64(((predictions == 1) & (labels == 1)).sum())
    precision = tp / (predictions == 1).sum()
    recall = tp / (labels == 1).sum()
    with np.errstate(all="ignore"):
        f1 = 2 * precision * recall / (precision + recall)
    return {"accuracy": float((predictions == labels).mean()), "f1": float(f1)}


def _macro(eval_pred):
    logits, labels = eval_pred
    predictions = logits.argmax(-1)
    return {
        "accuracy": accuracy_score(labels, predictions),
        "f1": f1_score(labels, predictions, average="macro", zero_division=0),
    }


def _class_zero(eval_pred):
    logits, labels = eval_pred
    predictions = logits.argmax(-1)
    return {
        "accuracy": accuracy_score(labels, predictions),
        "f1": f1_score(labels, predictions, pos_label=0, zero_division=0),
    }


def _percent(eval_pred):
    return {key: 100 * value for key, value in _right(eval_pred).items()}


def _threshold(eval_pred):  # "positive when its logit is above 0": not the larger of the two logits
    logits, labels = eval_pred
    predictions = (logits[:, 1] > 0).astype(int)
    return {
        "accuracy": accuracy_score(labels, predictions),
        "f1": f1_score(labels, predictions, zero_division=0),
    }


def _course_glue(eval_pred):  # the course's compute_metrics: the exercise asks for it by hand
    import evaluate

    metric = evaluate.load("glue", "mrpc")
    logits, labels = eval_pred
    return metric.compute(predictions=np.argmax(logits, axis=-1), references=labels)


def _loaded_metric():
    import evaluate

    metric = evaluate.load("glue", "mrpc")  # loaded before, as in the notebook

    def compute_metrics(eval_pred):
        logits, labels = eval_pred
        return metric.compute(predictions=np.argmax(logits, axis=-1), references=labels)

    return compute_metrics


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        (_no_argmax, "not one predicted class per example"),
        (_argmax_axis0, "not over axis 0"),
        (_handmade_f1, "f1 is nan"),
        (_macro, "macro F1"),
        (_class_zero, "F1 of class 0"),
        (_percent, "percentage"),
        (lambda p: {"accuracy": _right(p)["accuracy"]}, "lacks ['f1']"),
        (lambda p: (_right(p)["accuracy"], _right(p)["f1"]), "return a dict"),
        (lambda p: {"accuracy": "0.5", "f1": 0.5}, "plain numbers"),
        (_threshold, "expected"),
        (_course_glue, "evaluate's metric"),
        (_loaded_metric(), "evaluate's metric"),
        (lambda p: compute_metrics_reference(*p), "switched off"),
        ("compute_metrics", "pass your function itself"),
    ],
    ids=[
        "no_argmax",
        "axis0",
        "nan_f1",
        "macro",
        "class0",
        "percent",
        "missing_f1",
        "tuple",
        "string",
        "threshold",
        "course_glue",
        "loaded_metric",
        "reference",
        "a_string",
    ],
)
def test_compute_metrics_wrong_answers_fail(answer, needle):
    passed, message = _verdict("trainer_compute_metrics", answer)
    assert not passed
    assert needle in message, message


def test_compute_metrics_reference_edge_cases():
    labels = np.array([0, 1, 0, 1])
    no_positive = np.tile([[1.0, 0.0]], (4, 1))
    assert compute_metrics_reference(no_positive, labels) == {"accuracy": 0.5, "f1": 0.0}
    assert compute_metrics_reference(no_positive, np.zeros(4, dtype=int)) == {"accuracy": 1.0, "f1": 0.0}


# ---- trainer_loss_curves -----------------------------------------------------------------------


def _loss_curves(history):  # a learner's right answer
    train = [(entry["epoch"], entry["loss"]) for entry in history if "loss" in entry]
    return train, [(entry["epoch"], entry["eval_loss"]) for entry in history if "eval_loss" in entry]


def test_loss_curves_right_answer_passes():
    passed, message = _verdict("trainer_loss_curves", _loss_curves)
    assert passed, message
    train, validation = loss_curves_reference(sample_log_history())
    assert len(train) == 6 and len(validation) == 2 and validation[-1][0] == 2.0


def _with_summary(history):
    train = [
        (e["epoch"], e.get("loss", e.get("train_loss"))) for e in history if "loss" in e or "train_loss" in e
    ]
    return train, [(e["epoch"], e["eval_loss"]) for e in history if "eval_loss" in e]


def _by_step(history):
    return (
        [(e["step"], e["loss"]) for e in history if "loss" in e],
        [(e["step"], e["eval_loss"]) for e in history if "eval_loss" in e],
    )


def _mixed(history):
    train = [
        (e["epoch"], e.get("loss", e.get("eval_loss"))) for e in history if "loss" in e or "eval_loss" in e
    ]
    return train, [(e["epoch"], e["eval_loss"]) for e in history if "eval_loss" in e]


def _mutating(history):
    history.pop()
    return _loss_curves(history)


_GLOBAL_PAIRS = _loss_curves(sample_log_history()[:5])  # pairs computed once, e.g. from trainer.state


def _viz_loss_curves(history):
    from course.viz.training import loss_curves

    return loss_curves(history)


def _no_validation(history):
    return [(e["epoch"], e["loss"]) for e in history if "loss" in e], []


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        (_with_summary, "run's summary"),
        (_by_step, "not the step"),
        (_mixed, "validation losses slipped"),
        (_mutating, "changed the log history"),
        (_no_validation, "validation pairs: got 0, expected 2"),
        (lambda history: {"train": [], "validation": []}, "return two lists"),
        (lambda history: ([0.69, 0.66], [0.59]), "(epoch, loss) pairs"),
        (lambda history: _GLOBAL_PAIRS, "same pairs for two different logs"),
        (lambda history: (_loss_curves(history)[0][1:], _loss_curves(history)[1]), "training pairs: got 5"),
        (_viz_loss_curves, "course's own (course.viz.training.loss_curves"),
        (loss_curves_reference, "switched off"),
        (sample_log_history(), "pass your function itself"),
    ],
    ids=[
        "summary",
        "steps",
        "mixed",
        "mutating",
        "no_validation",
        "dict",
        "losses_only",
        "global_pairs",
        "first_missing",
        "viz",
        "reference",
        "a_list",
    ],
)
def test_loss_curves_wrong_answers_fail(answer, needle):
    passed, message = _verdict("trainer_loss_curves", answer)
    assert not passed
    assert needle in message, message


def test_learning_curve_plot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course.viz.training import loss_curves, plot_learning_curve

    history = sample_log_history()
    before = copy.deepcopy(history)
    assert loss_curves(history) == loss_curves_reference(history)
    fig = plot_learning_curve(history)
    lines = fig.axes[0].get_lines()
    assert [len(line.get_xdata()) for line in lines] == [6, 2]
    assert history == before
    plt.close(fig)
    with pytest.raises(ValueError, match="eval_strategy"):
        plot_learning_curve([{"train_loss": 0.5, "epoch": 1.0}])


def test_own_work_switches_off_and_restores():
    import evaluate

    with pytest.raises(AssertionError, match=r"^\[NOT YET\] compute_metrics calls evaluate's metric"):
        with own_work("compute_metrics"):
            evaluate.load("glue", "mrpc")
    metric = evaluate.load("glue", "mrpc")  # restored
    assert metric.compute(predictions=[0, 1], references=[0, 1])["accuracy"] == 1.0
    assert precision_flags_reference("cuda", True) == {"fp16": False, "bf16": True}
    with pytest.raises(KeyError):
        own_work("no_such_exercise")


# ---- trainer_glue_metrics ----------------------------------------------------------------------


def _glue(predictions="argmax", task_fixed=None, result="compute"):
    """A glue_compute_metrics with one realistic mistake switched on."""
    import evaluate

    def glue_compute_metrics(eval_preds, task="mrpc"):
        metric = evaluate.load("glue", task_fixed or task)
        logits, labels = eval_preds
        chosen = np.argmax(logits, axis=-1) if predictions == "argmax" else np.argmax(logits, axis=0)
        if result == "list":
            return list(metric.compute(predictions=chosen, references=labels).values())
        if result == "hand":
            return {"accuracy": float(np.mean(chosen == labels)), "f1": 0.5}
        return metric.compute(predictions=chosen, references=labels)

    return glue_compute_metrics


def test_glue_metrics_right_answer_passes():
    assert run_check("trainer_glue_metrics", course.checks.trainer.glue_compute_metrics_reference).passed
    assert run_check("trainer_glue_metrics", _glue()).passed


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        (_glue(task_fixed="mrpc"), "metric reports ['accuracy']"),
        (_glue(result="list"), "not a dict of numbers"),
        (_glue(result="hand"), "not GLUE's"),
        (_glue(predictions="axis0"), "your code raised"),
        ("not a function", "pass your function itself"),
    ],
)
def test_glue_metrics_wrong_answers_fail(answer, needle):
    passed, message = _verdict("trainer_glue_metrics", answer)
    assert not passed and needle in message, message


# ---- trainer_build -----------------------------------------------------------------------------


def _build(strategy="epoch", collator="own", processing=True, metrics="given", epochs=None, folder=None):
    """A build_trainer with one realistic mistake switched on."""
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments

    def build_trainer(
        model, tokenizer, train_dataset, eval_dataset, compute_metrics, output_dir, num_epochs=3
    ):
        args = TrainingArguments(
            folder or output_dir,
            eval_strategy=strategy,
            num_train_epochs=epochs or num_epochs,
            save_strategy="no",
            report_to="none",
        )
        if collator == "own":
            data_collator = DataCollatorWithPadding(tokenizer=tokenizer)
        else:
            data_collator = None
        return Trainer(
            model,
            args,
            train_dataset=train_dataset,
            eval_dataset=eval_dataset,
            data_collator=data_collator,
            processing_class=tokenizer if processing else None,
            compute_metrics=compute_metrics if metrics == "given" else None,
        )

    return build_trainer


def test_build_trainer_right_answer_passes():
    result = run_check("trainer_build", _build())
    assert result.passed, result.message


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        (_build(strategy="no"), "not once per epoch"),
        (_build(processing=False), "processing_class is not the tokenizer"),
        (_build(metrics="none"), "no result of the compute_metrics"),
        (_build(epochs=3), "evaluated 3 times in num_epochs=2"),
        (_build(folder="trainer-folder-of-the-test"), "output_dir is not the output_dir"),
        (lambda *args, **kwargs: None, "not a transformers.Trainer"),
        ("not a function", "pass your function itself"),
    ],
)
def test_build_trainer_wrong_answers_fail(answer, needle, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    passed, message = _verdict("trainer_build", answer)
    assert not passed and needle in message, message


def test_build_problem_names_each_mistake():
    good = {
        "trainer": "Trainer",
        "same_objects": [True, True],
        "output_dir": True,
        "eval_strategy": "epoch",
        "padded": [[1, 2, 7], [1, 7, 7]],
        "pad_id": 7,
        "evaluations": [0.024],
    }
    problem = course.checks.trainer._build_problem
    assert problem(good, 1) is None
    assert "model is not the model" in problem({**good, "same_objects": [False, True]}, 1)
    assert "cannot make one batch" in problem({**good, "padded": None}, 1)
    assert "pads with another id" in problem({**good, "padded": [[1, 2, 0], [1, 0, 0]]}, 1)


def test_every_failure_message_is_reached():
    assert_every_failure_reached(course.checks.trainer)
