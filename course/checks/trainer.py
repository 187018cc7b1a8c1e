"""Checks for chapter 3, notebook 07 "The Trainer API": mixed precision, compute_metrics, log history.

Each check calls the learner's function on inputs chosen so that every mistake its messages name
shows, and switches off the ready-made functions that would do the exercise's work while the learner's
function runs (`own_work`): the course's own reference answers, and for compute_metrics evaluate's
metric (`evaluate.load`, `metric.compute`), which the exercise asks to write by hand. The hidden tests
use `own_work` too. numpy, scikit-learn and transformers are imported inside the functions, so that
`import course` stays fast.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from contextlib import redirect_stderr, redirect_stdout
from numbers import Real
from typing import Any

from course.checks.base import CheckResult, fail, register, success
from course.checks.shortcuts import own_work_of

# ---------------------------------------------------------------- shortcuts switched off


def _metric_shortcuts() -> tuple[list[Callable], str]:
    import evaluate

    # metric.compute and add_batch (copied onto each instance) call _feature_names first, before any state
    return [evaluate.EvaluationModule._feature_names, evaluate.load, compute_metrics_reference], (
        "compute_metrics calls evaluate's metric (evaluate.load / metric.compute, switched off while "
        "your function is checked): this exercise writes it by hand, with np.argmax, accuracy_score "
        "and f1_score."
    )


# The checks and the hidden tests run the learner's function inside `own_work(exercise)`.
own_work = own_work_of(
    "notebook 07",
    {
        "precision_flags": lambda: (
            [precision_flags_reference],
            "precision_flags calls the course's precision_flags_reference (switched off while your "
            "function is checked): decide from device and bf16_supported yourself.",
        ),
        "compute_metrics": _metric_shortcuts,
        "loss_curves": lambda: (
            [loss_curves_reference],
            "loss_curves calls the course's own (course.viz.training.loss_curves or loss_curves_reference, "
            "switched off while your function is checked): read the entries of log_history yourself.",
        ),
    },
)


def _not_callable(function: Any, name: str) -> CheckResult | None:
    if callable(function):
        return None
    return fail(f"pass your function itself ({name}), not {type(function).__name__}.")


# (device, bf16_supported) -> the TrainingArguments flags the course uses.
PRECISION_CASES: list[tuple[str, bool, dict[str, bool]]] = [
    ("cpu", False, {"fp16": False, "bf16": False}),
    ("cpu", True, {"fp16": False, "bf16": False}),
    ("mps", False, {"fp16": False, "bf16": False}),
    ("cuda", True, {"fp16": False, "bf16": True}),  # e.g. A100, H100, L4
    ("cuda", False, {"fp16": True, "bf16": False}),  # e.g. the T4 of free Colab
]


def precision_flags_reference(device: str, bf16_supported: bool) -> dict[str, bool]:
    """Mixed precision only on a CUDA GPU: bf16 where it is supported, else fp16."""
    on_gpu = device == "cuda"
    return {"fp16": on_gpu and not bf16_supported, "bf16": on_gpu and bool(bf16_supported)}


@register(
    "trainer_precision_flags",
    hints=(
        "Section 'Mixed precision': full precision off CUDA (CPU, MPS), and on CUDA one of the two 16-bit "
        "formats, chosen by bf16_supported.",
        'Build the dict from the two arguments with boolean expressions, e.g. `device == "cuda"` and '
        "`bf16_supported` combined with `and` / `not`; do not read env.device or torch.cuda inside.",
    ),
)
def check_precision_flags(precision_flags: Callable[[str, bool], Mapping[str, bool]]) -> CheckResult:
    """`precision_flags(device, bf16_supported)` -> {"fp16": ..., "bf16": ...} for TrainingArguments."""
    problem = _not_callable(precision_flags, "precision_flags")
    if problem is not None:
        return problem
    answers = []
    with own_work("precision_flags"):
        for device, bf16_supported, want in PRECISION_CASES:
            answers.append((device, bf16_supported, want, precision_flags(device, bf16_supported)))
    for device, bf16_supported, _want, got in answers:
        case = f"precision_flags({device!r}, bf16_supported={bf16_supported})"
        if not isinstance(got, Mapping) or set(got) != {"fp16", "bf16"}:
            return fail(
                f"{case} returned {got!r}: return a dict with exactly the keys 'fp16' and 'bf16', "
                "so that TrainingArguments(**flags) works."
            )
        if not all(isinstance(value, bool) for value in got.values()):
            return fail(
                f"{case} returned {got!r}: use the booleans True and False "
                "(e.g. device == 'cuda' and bf16_supported)."
            )
    if all(dict(got) == dict(answers[0][3]) for *_, got in answers):
        return fail(
            f"precision_flags returns {dict(answers[0][3])} for every device and GPU: decide from its "
            "arguments, device and bf16_supported (not from env.device or torch.cuda, which describe "
            "this machine only)."
        )
    for device, bf16_supported, want, got in answers:
        case = f"precision_flags({device!r}, bf16_supported={bf16_supported})"
        got = dict(got)
        if got == want:
            continue
        if got["fp16"] and got["bf16"]:
            return fail(f"{case} turns on fp16 and bf16 together: pick at most one mixed precision.")
        if device != "cuda":
            return fail(
                f"{case} returned {got}: on {device!r} keep full precision (both False); in this "
                "course mixed precision is for a CUDA GPU only."
            )
        if bf16_supported:
            return fail(
                f"{case} returned {got}: this GPU supports bf16, which keeps float32's range "
                "(no loss scaling needed): use bf16=True, fp16=False."
            )
        return fail(f"{case} returned {got}: this GPU has no bf16 (e.g. a T4); use fp16=True there.")
    return success(
        "precision_flags picks bf16 on GPUs that support it, fp16 on older GPUs, and full "
        "precision on CPU and MPS."
    )


def metrics_cases() -> list[tuple[str, Any, Any]]:
    """(name, logits [n, 2], labels [n]) including the edge cases of accuracy and F1."""
    import numpy as np

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, size=40)
    logits = rng.normal(size=(40, 2)).astype(np.float32)
    logits[:24, :] += np.eye(2, dtype=np.float32)[labels[:24]] * 2  # better than chance
    toward_zero = np.tile(np.array([[1.5, -0.5]], dtype=np.float32), (12, 1))
    unbalanced_labels = np.array([1] * 9 + [0] * 3)
    unbalanced_logits = np.array([[0.0, 1.0]] * 7 + [[1.0, 0.0]] * 2 + [[0.0, 1.0]] * 3, dtype=np.float32)
    return [
        ("random logits", logits, labels),
        ("all labels positive", rng.normal(size=(10, 2)).astype(np.float32), np.ones(10, dtype=np.int64)),
        ("no positive predictions", toward_zero, np.array([0, 1] * 6)),
        ("all negative, all predicted negative", toward_zero[:5], np.zeros(5, dtype=np.int64)),
        ("unbalanced labels", unbalanced_logits, unbalanced_labels),
    ]


def compute_metrics_reference(logits, labels) -> dict[str, float]:
    """Accuracy and binary F1 (positive class 1, 0 when undefined) from logits and labels."""
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score

    predictions = np.argmax(logits, axis=-1)
    return {
        "accuracy": float(accuracy_score(labels, predictions)),
        "f1": float(f1_score(labels, predictions, zero_division=0)),
    }


def _call_metrics(compute_metrics: Callable, logits, labels) -> tuple[Any, CheckResult | None]:
    from transformers import EvalPrediction

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return compute_metrics(EvalPrediction(predictions=logits.copy(), label_ids=labels.copy())), None
    except ValueError as error:
        text = str(error)
        if "continuous" in text or "multioutput" in text:
            return None, fail(
                "scikit-learn got logits (a score per class), not one predicted class per example."
            )
        if "inconsistent numbers of samples" in text:
            return None, fail(
                "predictions and labels have different lengths: take the argmax over the "
                "last axis (axis=-1), one class per example, not over axis 0."
            )
        raise


@register(
    "trainer_compute_metrics",
    hints=(
        "Section 'Metrics': eval_pred unpacks into logits [n, 2] and labels [n]; the class of each row is "
        "the column with the larger logit, and F1 is the positive class's (1, equivalent).",
        "`np.argmax(..., axis=-1)`; `sklearn.metrics.accuracy_score` and `f1_score(..., zero_division=0)`; "
        "`float(...)` for plain numbers (not evaluate's metric: this exercise is the metric by hand).",
    ),
)
def check_compute_metrics(compute_metrics: Callable) -> CheckResult:
    """`compute_metrics(eval_pred)` -> {"accuracy", "f1"} equal to scikit-learn's, edge cases included."""
    import numpy as np
    from sklearn.metrics import f1_score

    problem = _not_callable(compute_metrics, "compute_metrics")
    if problem is not None:
        return problem
    cases = [
        (name, logits, labels, compute_metrics_reference(logits, labels))
        for name, logits, labels in metrics_cases()
    ]
    for name, logits, labels, want in cases:
        with own_work("compute_metrics"):
            got, problem = _call_metrics(compute_metrics, logits, labels)
        if problem is not None:
            return problem
        if not isinstance(got, Mapping):
            return fail(
                f"compute_metrics returned {type(got).__name__}: return a dict such as "
                "{'accuracy': 0.8, 'f1': 0.85}; the Trainer logs it as eval_accuracy, eval_f1."
            )
        missing = [key for key in want if key not in got]
        if missing:
            return fail(f"the dict lacks {missing} (keys: {sorted(got)}): name them 'accuracy' and 'f1'.")
        for key in want:
            value = got[key]
            if hasattr(value, "item") and getattr(value, "size", 1) == 1 and not isinstance(value, Real):
                value = value.item()
            if not isinstance(value, Real):
                return fail(f"{key} is a {type(value).__name__}: return plain numbers (float(...)).")
            value = float(value)
            if math.isnan(value):
                return fail(
                    f"on '{name}' {key} is nan: F1 is undefined when nothing is predicted positive; "
                    "return 0.0 then (f1_score(..., zero_division=0))."
                )
            if math.isclose(value, want[key], abs_tol=1e-6):
                continue
            if math.isclose(value, 100 * want[key], abs_tol=1e-4) and want[key]:
                return fail(f"{key} is a percentage ({value:.1f}); return a fraction between 0 and 1.")
            if key == "f1":
                predictions = np.argmax(logits, axis=-1)
                macro = f1_score(labels, predictions, average="macro", zero_division=0)
                if math.isclose(value, macro, abs_tol=1e-6):
                    return fail(
                        f"on '{name}' you return the macro F1 ({value:.3f}); MRPC reports the F1 of "
                        f"the positive class, f1_score(labels, predictions) ({want[key]:.3f})."
                    )
                if math.isclose(value, f1_score(1 - labels, 1 - predictions, zero_division=0), abs_tol=1e-6):
                    return fail(
                        f"on '{name}' you return the F1 of class 0; MRPC's F1 is for class 1 "
                        "(equivalent), scikit-learn's default pos_label=1."
                    )
            return fail(
                f"on '{name}' {key} is {value:.4f}, expected {want[key]:.4f} "
                "(argmax over the last axis, then scikit-learn's accuracy_score / f1_score)."
            )
    return success(
        "compute_metrics matches scikit-learn's accuracy and F1, edge cases included "
        "(one class only, no positive predictions)."
    )


def sample_log_history() -> list[dict[str, float]]:
    """A log history as `trainer.state.log_history` holds it: steps, evaluations, then a summary."""
    history: list[dict[str, float]] = []
    train_losses = [0.69, 0.66, 0.61, 0.58, 0.52, 0.47]
    for i, loss in enumerate(train_losses, start=1):
        step = 4 * i
        history.append(
            {
                "loss": loss,
                "grad_norm": 3.1 - 0.2 * i,
                "learning_rate": 5e-5 * (1 - step / 24),
                "epoch": step / 12,
                "step": step,
            }
        )
        if step % 12 == 0:
            history.append(
                {
                    "eval_loss": 0.64 - 0.05 * step / 12,
                    "eval_accuracy": 0.68 + 0.02 * step / 12,
                    "eval_f1": 0.81,
                    "eval_runtime": 2.5,
                    "eval_samples_per_second": 80.0,
                    "eval_steps_per_second": 2.5,
                    "epoch": step / 12,
                    "step": step,
                }
            )
    history.append(
        {
            "train_runtime": 30.1,
            "train_samples_per_second": 17.0,
            "train_steps_per_second": 0.8,
            "total_flos": 1.0e12,
            "train_loss": 0.588,
            "epoch": 2.0,
            "step": 24,
        }
    )
    return history


def loss_curves_reference(
    log_history: Sequence[Mapping[str, Any]],
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(epoch, training loss) and (epoch, validation loss) pairs from a Trainer's log history."""
    train = [(float(e["epoch"]), float(e["loss"])) for e in log_history if "loss" in e]
    validation = [(float(e["epoch"]), float(e["eval_loss"])) for e in log_history if "eval_loss" in e]
    return train, validation


def _pairs(value: Any) -> list[tuple[float, float]] | None:
    try:
        return [(float(a), float(b)) for a, b in value]
    except (TypeError, ValueError):
        return None


def other_log_history() -> list[dict[str, float]]:
    """A second, shorter log history (other losses and epochs), to see that loss_curves reads its argument."""
    history: list[dict[str, float]] = [
        {"loss": 0.9 - 0.1 * i, "learning_rate": 1e-4, "epoch": i / 4, "step": 2 * i} for i in range(1, 5)
    ]
    history.insert(2, {"eval_loss": 0.8, "eval_accuracy": 0.6, "epoch": 0.5, "step": 4})
    history.append({"eval_loss": 0.7, "eval_accuracy": 0.7, "epoch": 1.0, "step": 8})
    history.append({"train_loss": 0.75, "train_runtime": 4.0, "epoch": 1.0, "step": 8})
    return history


@register(
    "trainer_loss_curves",
    hints=(
        "Section 'The learning curve': every entry of log_history is a dict; training entries have a "
        "'loss' key, evaluations an 'eval_loss' key, and the last one is the run's summary.",
        'A list comprehension with an `if` over the argument: `"loss" in entry` tests a key, '
        '`entry["epoch"]` reads one; one list per kind of entry.',
    ),
)
def check_loss_curves(loss_curves: Callable) -> CheckResult:
    """`loss_curves(log_history)` -> (train pairs, validation pairs), each a list of (epoch, loss)."""
    problem = _not_callable(loss_curves, "loss_curves")
    if problem is not None:
        return problem
    history = sample_log_history()
    snapshot = [dict(entry) for entry in history]
    want_train, want_validation = loss_curves_reference(history)
    with own_work("loss_curves"):
        got = loss_curves(history)
        other = loss_curves(other_log_history())
    if history != snapshot:
        return fail("loss_curves changed the log history it was given: read it, do not modify it.")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return fail(
            f"loss_curves returned {type(got).__name__}: return two lists, "
            "(training pairs, validation pairs)."
        )
    train, validation = (_pairs(part) for part in got)
    if train is None or validation is None:
        return fail("each list should hold (epoch, loss) pairs, e.g. [(0.33, 0.69), (0.67, 0.66), ...].")
    if (
        isinstance(other, (tuple, list))
        and len(other) == 2
        and [_pairs(part) for part in other]
        == [
            train,
            validation,
        ]
    ):
        return fail(
            "loss_curves returns the same pairs for two different logs: read the log_history it is "
            "given (not trainer.state.log_history or pairs computed before)."
        )
    steps = {float(e["step"]) for e in history}
    if train and all(x in steps and x > 2 for x, _ in train):
        return fail(
            "the first item of each pair should be the epoch (entry['epoch']), not the step, so that "
            "training and validation losses share the x axis."
        )
    summary = history[-1]
    if any(math.isclose(loss, summary["train_loss"]) for _, loss in train):
        return fail(
            "the last entry of log_history is the run's summary: its 'train_loss' is the average "
            "over the whole run, not a logged step. Keep only entries with a 'loss' key."
        )
    eval_values = {e["eval_loss"] for e in history if "eval_loss" in e}
    if any(loss in eval_values for _, loss in train):
        return fail(
            "validation losses slipped into the training list: training entries have 'loss', "
            "evaluations have 'eval_loss'."
        )
    if train != want_train:
        return fail(
            f"training pairs: got {len(train)}, expected {len(want_train)} (one per entry with a "
            "'loss' key, in order)."
        )
    if validation != want_validation:
        return fail(
            f"validation pairs: got {len(validation)}, expected {len(want_validation)} (one per "
            "entry with an 'eval_loss' key, in order, as (epoch, eval_loss))."
        )
    return success(
        f"loss_curves finds {len(train)} training losses and {len(validation)} validation losses "
        "and skips the run's summary."
    )


# ---------------------------------------------------------------- compute_metrics with evaluate


def glue_reference(task: str, logits, labels) -> dict[str, float]:
    """The GLUE metric of `task` (evaluate.load("glue", task)) on the argmax of `logits`."""
    import evaluate
    import numpy as np

    metric = evaluate.load("glue", task)
    return dict(metric.compute(predictions=np.argmax(logits, axis=-1), references=labels))


def glue_cases(seed: int, tasks: Sequence[str]) -> list[tuple[str, Any, Any]]:
    """(task, logits [n, 2], labels [n]) for each task: random logits, better than chance, other sizes."""
    import numpy as np

    rng = np.random.default_rng(seed)
    cases = []
    for index, task in enumerate(tasks):
        size = 17 + 5 * index
        labels = rng.integers(0, 2, size=size)
        logits = rng.normal(size=(size, 2)).astype(np.float32)
        logits[: size // 2] += np.eye(2, dtype=np.float32)[labels[: size // 2]] * 1.5
        cases.append((task, logits, labels))
    return cases


def _as_numbers(result: Any) -> dict[str, float] | None:
    if not isinstance(result, Mapping):
        return None
    try:
        return {str(key): float(value) for key, value in result.items()}
    except (TypeError, ValueError):
        return None


@register(
    "trainer_glue_metrics",
    hints=(
        "Section 'Metrics': the course's compute_metrics loads the GLUE metric of a task and feeds it the "
        "predicted classes; each GLUE task has its own metric.",
        '`evaluate.load("glue", ...)` with the task passed in, `np.argmax(..., axis=-1)`, and the metric\'s '
        "`compute(predictions=..., references=...)`.",
    ),
)
def check_glue_metrics(glue_compute_metrics: Callable) -> CheckResult:
    """`glue_compute_metrics(eval_preds, task="mrpc")` returns the GLUE metric of `task`."""
    from transformers import EvalPrediction

    problem = _not_callable(glue_compute_metrics, "glue_compute_metrics")
    if problem is not None:
        return problem
    for task, logits, labels in glue_cases(11, ("mrpc", "sst2", "cola")):
        want = glue_reference(task, logits, labels)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = glue_compute_metrics(
                EvalPrediction(predictions=logits.copy(), label_ids=labels.copy()), task=task
            )
        numbers = _as_numbers(got)
        where = f"on {len(labels)} random {task!r} predictions"
        if numbers is None:
            return fail(f"{where} it returned {type(got).__name__}, not a dict of numbers.")
        if set(numbers) != set(want):
            return fail(
                f"{where} it returned the keys {sorted(numbers)}; "
                f"GLUE's {task!r} metric reports {sorted(want)}."
            )
        wrong = [key for key in want if not math.isclose(numbers[key], want[key], abs_tol=1e-9)]
        if wrong:
            return fail(f"{where} {wrong[0]} is {numbers[wrong[0]]:.4f}, not GLUE's {want[wrong[0]]:.4f}.")
    return success("glue_compute_metrics gives GLUE's own metric of each task (mrpc, sst2, cola).")


# ---------------------------------------------------------------- the Trainer in a function


def trainer_inputs(seed: int, train_size: int = 40, eval_size: int = 24) -> dict[str, Any]:
    """A tiny sentiment classifier, its tokenizer ([PAD] is not 0) and tokenized, unpadded datasets."""
    from course.checks.training_loop import sentiment_dataset, sentiment_model, sentiment_tokenizer

    tokenizer = sentiment_tokenizer(seed)

    def tokenize(batch):
        return tokenizer(batch["sentence"], truncation=True, max_length=24)

    return {
        "model": sentiment_model(tokenizer, seed=seed),
        "tokenizer": tokenizer,
        "train_dataset": sentiment_dataset(seed, train_size).map(tokenize, batched=True),
        "eval_dataset": sentiment_dataset(seed + 1, eval_size).map(tokenize, batched=True),
    }


def probe_metrics(eval_pred) -> dict[str, float]:
    """A compute_metrics whose result says it was called, and on how many examples."""
    _logits, labels = eval_pred
    return {"probe": len(labels) / 1000}


def run_build_trainer(build_trainer: Callable, seed: int, num_epochs: int, folder: str) -> dict[str, Any]:
    """Build a Trainer with the learner's function on tiny inputs, train it, and report what it holds."""
    from transformers import Trainer

    inputs = trainer_inputs(seed)
    tokenizer = inputs["tokenizer"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer = build_trainer(
            **inputs, compute_metrics=probe_metrics, output_dir=folder, num_epochs=num_epochs
        )
    if not isinstance(trainer, Trainer):
        return {"trainer": type(trainer).__name__}
    features = [
        {key: row[key] for key in ("input_ids", "attention_mask", "label")}
        for row in inputs["eval_dataset"].select(range(5))
    ]
    try:
        padded = trainer.data_collator(features)["input_ids"].tolist()
    except Exception:  # noqa: BLE001 - a collator that cannot pad rows of different lengths
        padded = None
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    for callback in (ProgressCallback, PrinterCallback):  # the check's run prints nothing
        trainer.remove_callback(callback)
    with warnings.catch_warnings(), redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        trainer.train()
    evaluations = [e for e in trainer.state.log_history if "eval_loss" in e]
    return {
        "trainer": "Trainer",
        "same_objects": [trainer.model is inputs["model"], trainer.processing_class is tokenizer],
        "output_dir": str(trainer.args.output_dir) == str(folder),
        "eval_strategy": str(getattr(trainer.args.eval_strategy, "value", trainer.args.eval_strategy)),
        "padded": padded,
        "pad_id": tokenizer.pad_token_id,
        "evaluations": [round(float(e.get("eval_probe", -1.0)), 6) for e in evaluations],
    }


def _build_problem(run: dict[str, Any], num_epochs: int) -> str | None:
    """What is wrong with the Trainer a learner's function built, or None."""
    if run["trainer"] != "Trainer":
        return f"it returned {run['trainer']}, not a transformers.Trainer"
    model_same, tokenizer_same = run["same_objects"]
    if not model_same:
        return "the Trainer's model is not the model passed in"
    if not tokenizer_same:
        return "the Trainer's processing_class is not the tokenizer passed in"
    if not run["output_dir"]:
        return "the Trainer's args.output_dir is not the output_dir passed in"
    if run["eval_strategy"] != "epoch":
        return (
            f"its TrainingArguments evaluate with the strategy {run['eval_strategy']!r}, not once per epoch"
        )
    padded = run["padded"]
    if padded is None or len({len(row) for row in padded}) != 1:
        return "its data_collator cannot make one batch of rows of different lengths"
    if not any(run["pad_id"] in row for row in padded):
        return f"its data_collator pads with another id than this tokenizer's [PAD] ({run['pad_id']})"
    if len(run["evaluations"]) != num_epochs:
        return f"trainer.train() evaluated {len(run['evaluations'])} times in num_epochs={num_epochs} epochs"
    if any(value < 0 for value in run["evaluations"]):
        return "the evaluations hold no result of the compute_metrics passed in"
    return None


@register(
    "trainer_build",
    hints=(
        "Sections 'Training arguments' and 'The Trainer': the arguments the course gives TrainingArguments "
        "and Trainer, here all taken from build_trainer's parameters.",
        "`TrainingArguments` (its evaluation strategy and number of epochs), `DataCollatorWithPadding`, "
        "and the `data_collator`, `processing_class` and `compute_metrics` parameters of `Trainer`.",
    ),
)
def check_build_trainer(build_trainer: Callable) -> CheckResult:
    """`build_trainer(model, tokenizer, train_dataset, eval_dataset, compute_metrics, output_dir, ...)`."""
    import tempfile

    problem = _not_callable(build_trainer, "build_trainer")
    if problem is not None:
        return problem
    for seed, num_epochs in ((2, 2), (3, 1)):
        with tempfile.TemporaryDirectory() as folder:
            run = run_build_trainer(build_trainer, seed=seed, num_epochs=num_epochs, folder=folder)
        problem = _build_problem(run, num_epochs)
        if problem is not None:
            return fail(
                "on a tiny sentiment model whose tokenizer's [PAD] is not 0 (40 training rows, "
                f"num_epochs={num_epochs}): {problem}."
            )
    return success(
        "build_trainer wires the model, the tokenizer (processing_class), a padding collator, "
        "compute_metrics and an evaluation every epoch into the Trainer."
    )


def glue_compute_metrics_reference(eval_preds, task: str = "mrpc") -> dict[str, float]:
    """The course's compute_metrics for any GLUE task: evaluate's GLUE metric on the argmax."""
    logits, labels = eval_preds
    return glue_reference(task, logits, labels)


def pick_glue_metrics(glue_compute_metrics: Callable | None) -> Callable:
    """The learner's glue_compute_metrics when it passes its check, else the course's (later cells run)."""
    from course.checks import use_if_passing

    return use_if_passing(
        glue_compute_metrics,
        "trainer_glue_metrics",
        glue_compute_metrics_reference,
        "glue_compute_metrics",
        "scoring",
        "compute_metrics",
    )
