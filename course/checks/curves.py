"""Checks for chapter 3, notebook 11 "Understanding learning curves": the loss series of a Trainer's log,
a diagnosis of its curves, and the early-stopping setup.

The diagnosis follows one written rule (the notebook states it; `diagnose_reference` is it in code), tried
in this order on the training losses T (entries with "loss") and validation losses E (entries with
"eval_loss") of a `trainer.state.log_history`, each in log order:

1. "erratic": T jumps up between two consecutive logs by more than half of its first value (SPIKE_SHARE);
2. "underfitting": the mean of the last third of T is at least 90 % of the mean of its first third
   (FLAT_SHARE; a third is len(T) // 3 logs, at least 1);
3. "overfitting": the last of E is more than 10 % above the lowest of E (RISE_SHARE);
4. otherwise "healthy".

The checks feed the learner's functions generated log histories (`generated_histories(seed)`: one of each
case in CASES, shaped as the Trainer writes them) that make the usual mistakes show: noisy but healthy
curves, late overfitting, evaluations at other steps than the training logs, an evaluation before training
and one after the run's summary, a noisy last log. The self-checks use the seeds CHECK_SEEDS; the hidden
tests use others. While the learner's function runs, the course's own answers are switched off
(`own_work`). transformers is imported inside the functions, so that `import course` stays fast.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from course.checks.base import CheckResult, fail, not_a_function, register, success
from course.checks.shortcuts import own_work_of

KINDS = ("healthy", "overfitting", "underfitting", "erratic")
SPIKE_SHARE = 0.5  # erratic: a rise between consecutive training losses above half the first one
FLAT_SHARE = 0.9  # underfitting: last third of the training losses >= 90 % of the first third (means)
RISE_SHARE = 0.1  # overfitting: the last validation loss more than 10 % above the lowest one
CHECK_SEEDS = (0, 1, 2)

History = Sequence[Mapping[str, Any]]
Series = dict[str, tuple[list[int], list[float]]]

# ---------------------------------------------------------------- the course's own answers


def loss_series_reference(log_history: History) -> Series:
    """{"train": (steps, losses), "eval": (steps, eval losses)} from a Trainer's log history, in log order.

    Training entries have "loss", evaluations "eval_loss"; the run's summary ("train_loss") is neither.
    """
    series: Series = {"train": ([], []), "eval": ([], [])}
    for entry in log_history:
        for part, key in (("train", "loss"), ("eval", "eval_loss")):
            if key in entry:
                series[part][0].append(int(entry["step"]))
                series[part][1].append(float(entry[key]))
    return series


def curve_facts(log_history: History) -> dict[str, Any]:
    """The numbers the diagnosis rule reads (see the module docstring), with the steps where they occur."""
    (train_steps, train), (eval_steps, evals) = loss_series_reference(log_history).values()
    if len(train) < 2:
        raise ValueError(
            "the log history holds fewer than two training losses: log more often (logging_steps) "
            "or train longer"
        )
    third = max(1, len(train) // 3)
    rises = [(train[i + 1] - train[i], i) for i in range(len(train) - 1)]
    rise, at = max(rises)
    facts: dict[str, Any] = {
        "first": train[0],
        "last_train": train[-1],
        "head": sum(train[:third]) / third,
        "tail": sum(train[-third:]) / third,
        "third": third,
        "rise": rise,
        "rise_from": (train_steps[at], train[at]),
        "rise_to": (train_steps[at + 1], train[at + 1]),
        "train_logs": len(train),
        "evaluations": len(evals),
    }
    if evals:
        low = min(range(len(evals)), key=evals.__getitem__)
        facts.update(lowest_eval=(eval_steps[low], evals[low]), last_eval=(eval_steps[-1], evals[-1]))
    return facts


def diagnose_reference(log_history: History) -> str:
    """ "erratic", "underfitting", "overfitting" or "healthy", by the rule of the module docstring."""
    facts = curve_facts(log_history)
    if facts["rise"] > SPIKE_SHARE * facts["first"]:
        return "erratic"
    if facts["tail"] >= FLAT_SHARE * facts["head"]:
        return "underfitting"
    if facts["evaluations"] >= 2 and facts["last_eval"][1] > (1 + RISE_SHARE) * facts["lowest_eval"][1]:
        return "overfitting"
    return "healthy"


def evidence(log_history: History) -> str:
    """One line with the numbers behind `diagnose_reference`'s verdict (losses to 3 decimals)."""
    facts = curve_facts(log_history)
    kind = diagnose_reference(log_history)
    if kind == "erratic":
        (step_a, a), (step_b, b) = facts["rise_from"], facts["rise_to"]
        return (
            f"train loss jumped from {a:.3f} at step {step_a} to {b:.3f} at step {step_b} "
            f"(+{b - a:.3f}, more than half its first value {facts['first']:.3f})"
        )
    third = f"{facts['third']} log{'s' if facts['third'] > 1 else ''}"
    if kind == "underfitting":
        return (
            f"train loss averaged {facts['head']:.3f} over its first {third} and {facts['tail']:.3f} "
            f"over its last {third} ({facts['tail'] / facts['head']:.0%} of the start)"
        )
    (step_low, low), (step_last, last) = facts["lowest_eval"], facts["last_eval"]
    if kind == "overfitting":
        return (
            f"eval loss rose from {low:.3f} at step {step_low} to {last:.3f} at step {step_last} "
            f"(+{last / low - 1:.0%}) while train loss fell to {facts['last_train']:.3f}"
        )
    return (
        f"train loss fell from {facts['head']:.3f} to {facts['tail']:.3f} (means of the first and last "
        f"{third}); eval loss reached its lowest, {low:.3f}, at step {step_low} and ended at {last:.3f}"
    )


def early_stopping_reference(output_dir: str, eval_steps: int, patience: int, **settings: Any):
    """(TrainingArguments, EarlyStoppingCallback): evaluate and save every `eval_steps` steps, keep the
    checkpoint with the lowest validation loss, stop after `patience` evaluations without improvement."""
    from transformers import EarlyStoppingCallback, TrainingArguments

    args = TrainingArguments(
        output_dir=output_dir,
        eval_strategy="steps",
        eval_steps=eval_steps,
        save_strategy="steps",
        save_steps=eval_steps,
        load_best_model_at_end=True,
        metric_for_best_model="eval_loss",
        greater_is_better=False,
        **settings,
    )
    return args, EarlyStoppingCallback(early_stopping_patience=patience)


# ---------------------------------------------------------------- generated log histories

# (kind, what makes the case), one history of each per seed
CASES: tuple[tuple[str, str], ...] = (
    ("healthy", "a healthy run"),
    ("healthy", "a noisy but healthy run (small rises in both losses)"),
    ("healthy", "a healthy run whose validation loss levels off well above the training loss"),
    ("healthy", "a healthy run evaluated at other steps than the training logs, and before training"),
    ("overfitting", "an overfitting run (validation accuracy holds while the loss climbs)"),
    ("overfitting", "a late overfitting run (its last validation loss is still below its first)"),
    (
        "overfitting",
        "an overfitting run evaluated at other steps than the training logs, and before training",
    ),
    ("underfitting", "an underfitting run"),
    ("underfitting", "an underfitting run whose last training log happens to be low"),
    ("erratic", "an erratic run (far too high learning rate)"),
    ("erratic", "a run that learns, then diverges (its validation loss climbs too)"),
)


def _decay(p: float, start: float, floor: float, rate: float) -> float:
    return floor + (start - floor) * math.exp(-rate * p)


def _schedule(rng: random.Random, misaligned: bool) -> tuple[list[int], list[int], int]:
    """Training-log steps, evaluation steps and steps per epoch of one generated run.

    Misaligned: evaluations every eval_steps that are no multiple of logging_steps, and one before any
    training (eval_on_start=True), at step 0.
    """
    logging_steps = rng.choice((2, 4, 5, 8, 10))
    total = logging_steps * rng.randint(18, 36)
    eval_steps = logging_steps * rng.randint(2, 4)
    if misaligned:
        eval_steps += rng.randint(1, logging_steps - 1)
    evals = list(range(eval_steps, total + 1, eval_steps))
    return (
        list(range(logging_steps, total + 1, logging_steps)),
        [0, *evals] if misaligned else evals,
        max(2, total // rng.randint(3, 8)),
    )


Curve = Callable[[float], float]


def _healthy(case: int, rng: random.Random, start: float) -> tuple[Curve, Curve, Curve]:
    floor, rate, eval_rate = start * rng.uniform(0.2, 0.4), rng.uniform(3, 6), rng.uniform(3, 6)
    gap = start * (rng.uniform(0.25, 0.35) if case == 2 else rng.uniform(0.08, 0.15))
    return (
        lambda p: _decay(p, start, floor, rate),
        lambda p: _decay(p, start * 1.02, floor + gap, eval_rate),
        lambda p: 0.75 * (1 - math.exp(-eval_rate * p)),
    )


def _overfitting(case: int, rng: random.Random, start: float) -> tuple[Curve, Curve, Curve]:
    late = case == 5  # the lowest validation loss late in the run, a small rise, a small gap
    floor = start * (rng.uniform(0.35, 0.45) if late else rng.uniform(0.01, 0.03))
    rate = rng.uniform(3, 5) if late else rng.uniform(5, 8)
    p_low = rng.uniform(0.7, 0.8) if late else rng.uniform(0.2, 0.45)
    low = _decay(p_low, start, floor, rate) + start * (rng.uniform(0.02, 0.05) if late else 0.25)
    growth = rng.uniform(0.17, 0.25) if late else rng.uniform(0.5, 1.0)

    def eval_loss(p: float) -> float:
        if p <= p_low:
            return low + (start * 1.02 - low) * (1 + math.cos(math.pi * p / p_low)) / 2
        return low * (1 + growth * ((p - p_low) / (1 - p_low)) ** 1.2)

    # the accuracy holds (even creeps up) while the validation loss climbs: overconfident mistakes
    return lambda p: _decay(p, start, floor, rate), eval_loss, lambda p: 0.5 * min(1.0, p / p_low) + 0.04 * p


def _curves(case: int, rng: random.Random, start: float) -> tuple[Curve, Curve, Curve]:
    """Training loss, validation loss and skill (0: chance, 1: every answer right) against progress p."""
    kind = CASES[case][0]
    if kind == "healthy":
        return _healthy(case, rng, start)
    if kind == "overfitting":
        return _overfitting(case, rng, start)
    if kind == "underfitting":
        drop, eval_drop = rng.uniform(0, 0.03), rng.uniform(0, 0.03)
        return lambda p: start * (1 - drop * p), lambda p: start * (1.01 - eval_drop * p), lambda p: 0.02
    if case == 9:  # far too high a learning rate: spikes, and a model that flips between classes
        level = start * rng.uniform(0.9, 1.1)
        return (
            lambda p: start * rng.uniform(2, 5) if rng.random() < 0.2 else level * rng.uniform(0.8, 1.2),
            lambda p: level * rng.uniform(0.9, 2.5),
            lambda p: rng.choice((0.0, 0.02)),
        )
    return (  # learns for half the run, then diverges
        lambda p: _decay(p, start, start * 0.4, 4) if p < 0.5 else start * rng.uniform(0.9, 3.5),
        lambda p: _decay(p, start, start * 0.5, 4) if p < 0.5 else start * rng.uniform(1.2, 3.0),
        lambda p: 0.6 if p < 0.5 else rng.choice((0.0, 0.02)),
    )


def _noisy(values: list[float], rng: random.Random, case: int, start: float) -> list[float]:
    """Logging noise: small everywhere, larger (but below the spike threshold) in the noisy healthy run."""
    sigma, clip = (0.06, 0.12) if case == 1 else (0.01, 0.03)
    noisy = [max(1e-3, v + start * max(-clip, min(clip, rng.gauss(0, sigma)))) for v in values]
    if case == 8:  # underfitting whose last log dips: comparing first and last only sees a fall
        noisy[-1] = start * rng.uniform(0.72, 0.8)
    return noisy


def _eval_noise(values: list[float], rng: random.Random, case: int) -> list[float]:
    values = [v * (1 + rng.uniform(-0.005, 0.005)) for v in values]
    if case == 1 and len(values) > 4:  # a small rise of the validation loss, well below overfitting
        j = len(values) // 2
        values[j] = values[j - 1] * 1.05
    return values


def _train_entry(loss: float, step: int, total: int, epoch: float, rng: random.Random) -> dict[str, Any]:
    return {
        "loss": round(loss, 4),
        "grad_norm": round(rng.uniform(0.5, 4), 3),
        "learning_rate": 5e-5 * (1 - step / (total + 1)),
        "epoch": epoch,
        "step": step,
    }


def _eval_entry(loss: float, accuracy: float, step: int, epoch: float, rng: random.Random) -> dict[str, Any]:
    return {
        "eval_loss": round(loss, 4),
        "eval_accuracy": accuracy,
        "eval_runtime": round(rng.uniform(1, 3), 3),
        "eval_samples_per_second": round(rng.uniform(60, 90), 2),
        "eval_steps_per_second": round(rng.uniform(1, 3), 3),
        "epoch": epoch,
        "step": step,
    }


def _entries(case: int, rng: random.Random) -> list[dict[str, Any]]:
    """One generated log history of the case `case` (not yet verified), in the Trainer's order."""
    labels = rng.choice((2, 3, 5))
    start = math.log(labels) * rng.uniform(0.97, 1.03)
    train_steps, eval_steps, per_epoch = _schedule(rng, misaligned=case in (3, 6))
    total = train_steps[-1]
    train_fn, eval_fn, skill_fn = _curves(case, rng, start)
    train = _noisy([train_fn(s / total) for s in train_steps], rng, case, start)
    evals = _eval_noise([eval_fn(s / total) for s in eval_steps], rng, case)
    size, chance = rng.choice((200, 250, 400)), 1 / labels

    def accuracy(step: int) -> float:
        return round((chance + (1 - chance) * skill_fn(step / total)) * size) / size

    timeline = sorted(
        [(s, 0, i) for i, s in enumerate(train_steps)] + [(s, 1, i) for i, s in enumerate(eval_steps)]
    )
    history = [
        _eval_entry(evals[i], accuracy(step), step, round(step / per_epoch, 4), rng)
        if is_eval
        else _train_entry(train[i], step, total, round(step / per_epoch, 4), rng)
        for step, is_eval, i in timeline
    ]
    history.append(
        {
            "train_runtime": round(rng.uniform(10, 90), 2),
            "train_samples_per_second": round(rng.uniform(8, 30), 2),
            "train_steps_per_second": round(rng.uniform(0.5, 2), 3),
            "total_flos": float(rng.randint(10**11, 10**13)),
            "train_loss": round(sum(train) / len(train), 4),
            "epoch": round(total / per_epoch, 4),
            "step": total,
        }
    )
    if case in (2, 5):  # trainer.evaluate() after trainer.train(): an evaluation after the summary
        final = eval_fn(1.0) * (1 + rng.uniform(-0.005, 0.005))
        history.append(_eval_entry(final, accuracy(total), total, round(total / per_epoch, 4), rng))
    return history


def _shows_its_case(case: int, history: History) -> bool:
    """The generated history has its case's verdict and the trait that makes the case tricky."""
    (train_steps, train), (eval_steps, evals) = loss_series_reference(history).values()
    if diagnose_reference(history) != CASES[case][0] or len(evals) < 3:
        return False
    rises = [b > a for a, b in zip(train, train[1:], strict=False)]
    traits = {
        1: any(rises) and any(b > a for a, b in zip(evals, evals[1:], strict=False)),
        2: evals[-1] - train[-1] > 0.22 * train[0],
        3: not set(eval_steps) <= set(train_steps),
        5: evals[-1] < evals[0] and evals[-1] - train[-1] < 0.22 * train[0],
        6: not set(eval_steps) <= set(train_steps),
        8: train[-1] < FLAT_SHARE * train[0],
        10: evals[-1] > (1 + RISE_SHARE) * min(evals),
    }
    return traits.get(case, True)


def generated_history(case: int, seed: int) -> list[dict[str, Any]]:
    """A Trainer-shaped log history of CASES[case], drawn from `seed` (verified to show its case)."""
    rng = random.Random(f"curves/{case}/{seed}")
    for _ in range(200):
        history = _entries(case, rng)
        if _shows_its_case(case, history):
            return history
    raise RuntimeError(f"no history of case {case} found for seed {seed}")  # pragma: no cover


def generated_histories(seed: int) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(kind, description, history) for every case of CASES, drawn from `seed`."""
    return [(kind, text, generated_history(case, seed)) for case, (kind, text) in enumerate(CASES)]


def unlabelled_histories(seed: int) -> list[list[dict[str, Any]]]:
    """The histories of `generated_histories(seed)` without their kinds, in an order drawn from `seed`."""
    histories = [history for _, _, history in generated_histories(seed)]
    random.Random(f"order/{seed}").shuffle(histories)
    return histories


# ---------------------------------------------------------------- shortcuts switched off


def _course_answers() -> list[Callable]:
    from course.checks import trainer

    return [
        loss_series_reference,
        curve_facts,
        diagnose_reference,
        evidence,
        generated_history,
        trainer.loss_curves_reference,
    ]


own_work = own_work_of(
    "notebook 11",
    {
        "loss_series": lambda: (
            _course_answers(),
            "loss_series calls the course's own (course.viz.curves.loss_series or the references in "
            "course.checks, switched off while your function is checked): read the entries yourself.",
        ),
        "diagnose": lambda: (
            _course_answers(),
            "diagnose calls the course's own diagnosis (course.viz.curves.diagnose or the references in "
            "course.checks, switched off while your function is checked): apply the rule yourself.",
        ),
        "early_stopping": lambda: (
            [early_stopping_reference],
            "early_stopping_setup calls the course's early_stopping_reference (switched off while your "
            "function is checked): build TrainingArguments and EarlyStoppingCallback yourself.",
        ),
    },
)


# ---------------------------------------------------------------- exercise 1: loss_series

# plain; evaluated at other steps and before training; evaluated after the summary; erratic
SERIES_CASES = (0, 3, 5, 9)
KEYS = {"train": "loss", "eval": "eval_loss"}


def _series_shape(got: Any) -> tuple[Series | None, CheckResult | None]:
    """The learner's return value as {"train": (steps, losses), "eval": (...)}, or the failure to report."""
    if not isinstance(got, Mapping) or set(got) != {"train", "eval"}:
        keys = sorted(map(str, got)) if isinstance(got, Mapping) else type(got).__name__
        return None, fail(
            f'loss_series returned {keys}: return a dict with exactly the keys "train" and "eval", '
            "each (steps, losses)."
        )
    series: Series = {}
    for part in ("train", "eval"):
        try:
            steps, losses = got[part]
            series[part] = ([float(s) for s in steps], [float(v) for v in losses])
        except (TypeError, ValueError):
            return None, fail(
                f'series["{part}"] should be two lists, (steps, losses), '
                "e.g. ([5, 10, 15], [0.69, 0.61, 0.55])."
            )
        if len(series[part][0]) != len(series[part][1]):
            return None, fail(
                f'series["{part}"] has {len(steps)} steps but {len(losses)} losses: one step per loss.'
            )
    return series, None


def _series_mistake(history: History, got: Series, want: Series) -> CheckResult | None:
    """The failure that names the mistake in `got` (None when it equals `want`)."""
    if got == {part: tuple(map(lambda xs: [float(x) for x in xs], want[part])) for part in want}:
        return None
    summary = next(e for e in history if "train_loss" in e)
    epochs = [float(e["epoch"]) for e in history if "loss" in e]
    train_steps, train_losses = got["train"]
    eval_steps, eval_losses = got["eval"]
    if train_steps == epochs and train_steps != want["train"][0]:
        return fail(
            "the first list of each series should hold the steps (entry['step']), not the epochs: "
            "evaluations and training logs are compared step by step."
        )
    if float(summary["train_loss"]) in train_losses and len(train_losses) > len(want["train"][1]):
        return fail(
            "the run's summary (the entry with 'train_loss', an average over the whole run) is in the "
            "training series: keep only entries with a 'loss' key."
        )
    if set(eval_losses) & set(train_losses):
        return fail(
            "training and validation losses are mixed: training entries have 'loss', evaluations "
            "'eval_loss' (a test such as `\"loss\" in key` matches both)."
        )
    if eval_losses == [float(v) for v in want["eval"][1][: len(eval_losses)]] and len(eval_losses) < len(
        want["eval"][1]
    ):
        return fail(
            f"the validation series stops early ({len(eval_losses)} of {len(want['eval'][1])} evaluations): "
            "read every entry, including an evaluation logged after the run's summary "
            "(trainer.evaluate() after trainer.train()) or before the first training log."
        )
    part = "train" if got["train"] != want["train"] else "eval"
    return fail(
        f"{part}: got {len(got[part][1])} losses, expected {len(want[part][1])}: one (step, loss) per entry "
        f"with {KEYS[part]!r} in it, in the order of the log."
    )


@register(
    "curves_loss_series",
    hints=(
        "Section 'Reading the log': every entry of log_history is a dict; training logs have 'loss', "
        "evaluations 'eval_loss', both have 'step'; the run's summary has 'train_loss' instead.",
        "Loop over the argument and test keys with `in` (`\"loss\" in entry`), appending entry['step'] "
        "and the loss to two lists per series; return them in a dict.",
    ),
)
def check_loss_series(loss_series: Callable) -> CheckResult:
    """`loss_series(log_history)` -> {"train": (steps, losses), "eval": (steps, losses)} on generated logs."""
    problem = not_a_function("loss_series", loss_series, "(log_history)")
    if problem is not None:
        return problem
    histories = [generated_history(case, seed) for seed in CHECK_SEEDS for case in SERIES_CASES]
    snapshots = [[dict(entry) for entry in history] for history in histories]
    with own_work("loss_series"):
        results = [loss_series(history) for history in histories]
    if histories != snapshots:
        return fail("loss_series changed the log history it was given: read it, do not modify it.")
    shaped = []
    for got in results:
        series, problem = _series_shape(got)
        if problem is not None:
            return problem
        shaped.append(series)
    if all(series == shaped[0] for series in shaped):
        return fail(
            "loss_series returns the same series for different logs: read the log_history it is given "
            "(not trainer.state.log_history or a log of the notebook)."
        )
    for history, got in zip(histories, shaped, strict=True):
        problem = _series_mistake(history, got, loss_series_reference(history))
        if problem is not None:
            return problem
    return success(
        f"loss_series reads {len(histories)} logs right: training and validation losses by step, evaluations "
        "before training and after the summary included, the summary left out."
    )


# ---------------------------------------------------------------- exercise 2: diagnose

WHY = {
    "erratic": "the training loss jumps up by more than half its first value between two logs",
    "underfitting": "its last third of training losses averages at least 90 % of its first third",
    "overfitting": "its last validation loss is more than 10 % above its lowest",
    "healthy": "none of the three rules applies",
}


@register(
    "curves_diagnose",
    hints=(
        "Section 'A rule for reading curves': the four steps, tried in order; the training series for the "
        "first two, the validation series for the third, from entries with 'loss' and 'eval_loss'.",
        "Build the two series first (your loss_series), then compare neighbouring training losses, the "
        "means of slices such as losses[:k] and losses[-k:], and the last validation loss with min(...).",
    ),
)
def check_diagnose(diagnose: Callable) -> CheckResult:
    """`diagnose(log_history)` -> the kind of curve, on generated logs of every case (CASES)."""
    problem = not_a_function("diagnose", diagnose, "(log_history)")
    if problem is not None:
        return problem
    answers = []
    for seed in CHECK_SEEDS:
        for kind, text, history in generated_histories(seed):
            snapshot = [dict(entry) for entry in history]
            with own_work("diagnose"):
                got = diagnose(history)
            if history != snapshot:
                return fail("diagnose changed the log history it was given: read it, do not modify it.")
            answers.append((kind, text, history, got))
    for _, _, _, got in answers:
        if not isinstance(got, str) or got not in KINDS:
            return fail(
                f"diagnose returned {got!r}: return one of the strings {', '.join(map(repr, KINDS))}."
            )
    if len({got for *_, got in answers}) == 1:
        return fail(f"diagnose says {answers[0][3]!r} for every log: read the losses of the log it is given.")
    for kind, text, history, got in answers:
        if got != kind:
            return fail(
                f"on {text} you answered {got!r}, but it is {kind!r}: {WHY[kind]} "
                f"({evidence(history)}). Check the rule's steps, in order."
            )
    return success(
        f"diagnose reads all {len(answers)} generated logs right: noisy but healthy runs, late overfitting, "
        "evaluations at other steps, a noisy last log and a late divergence included."
    )


# ---------------------------------------------------------------- exercise 3: early stopping

EARLY_STOPPING_CALLS = (
    ("a", 3, 2, {"max_steps": 30, "learning_rate": 3e-5, "report_to": "none"}),
    ("b", 5, 4, {"num_train_epochs": 2, "per_device_train_batch_size": 4, "report_to": "none", "seed": 7}),
)


def _value(setting: Any) -> Any:
    return getattr(setting, "value", setting)  # an enum of transformers (IntervalStrategy.STEPS) -> "steps"


def _early_stopping_mistake(
    built: Any, output_dir: str, eval_steps: int, patience: int, settings: dict
) -> CheckResult | None:
    from transformers import EarlyStoppingCallback, TrainingArguments

    call = f"early_stopping_setup(output_dir, eval_steps={eval_steps}, patience={patience}, ...)"
    if not isinstance(built, (tuple, list)) or len(built) != 2:
        return fail(f"{call} returned {type(built).__name__}: return two things, (training_args, callback).")
    args, callback = built
    if not isinstance(args, TrainingArguments):
        return fail(f"the first item is a {type(args).__name__}: build it with TrainingArguments(...).")
    if isinstance(callback, (list, tuple)) and len(callback) == 1:
        return fail("the second item is a list: return the callback itself (the notebook puts it in a list).")
    if not isinstance(callback, EarlyStoppingCallback):
        return fail(
            f"the second item is a {type(callback).__name__}: build it with EarlyStoppingCallback(...)."
        )
    if str(args.output_dir) != output_dir:
        return fail(f"{call}: the arguments write to {args.output_dir!r}, not to the output_dir given.")
    plain = TrainingArguments(
        output_dir=output_dir, **settings
    )  # the settings as TrainingArguments keeps them
    for key, value in settings.items():
        if getattr(args, key) != getattr(plain, key):
            return fail(
                f"{call} was given {key}={value!r} but the arguments hold {getattr(args, key)!r}: "
                "pass **settings on to TrainingArguments."
            )
    if _value(args.eval_strategy) != "steps" or args.eval_steps != eval_steps:
        return fail(
            f"{call} evaluates with eval_strategy={_value(args.eval_strategy)!r}, "
            f"eval_steps={args.eval_steps}: evaluate every eval_steps steps."
        )
    if _value(args.save_strategy) != "steps" or args.save_steps != eval_steps:
        return fail(
            f"{call} saves with save_strategy={_value(args.save_strategy)!r}, save_steps={args.save_steps}: "
            "save a checkpoint at every evaluation (the same strategy and steps), so that the best one "
            "exists."
        )
    if not args.load_best_model_at_end:
        return fail(
            f"{call}: load_best_model_at_end is False, so the run would end with its last "
            "(overfitted) weights."
        )
    if args.metric_for_best_model not in ("eval_loss", "loss"):
        return fail(
            f"{call}: metric_for_best_model is {args.metric_for_best_model!r}; this exercise "
            "keeps the checkpoint with the lowest validation loss."
        )
    if args.greater_is_better:
        return fail(
            f"{call}: greater_is_better=True would keep the checkpoint with the highest loss; "
            "a loss is better when lower."
        )
    if callback.early_stopping_patience != patience:
        return fail(
            f"{call}: the callback's patience is {callback.early_stopping_patience}; use the patience given."
        )
    return None


@register(
    "curves_early_stopping",
    hints=(
        "Section 'Early stopping': the course's TrainingArguments for it (evaluation and saving on the same "
        "steps, the best model loaded at the end, judged by the validation loss) and its callback.",
        "TrainingArguments(output_dir, eval_strategy=..., eval_steps=..., save_strategy=..., save_steps=..., "
        "load_best_model_at_end=..., metric_for_best_model=..., greater_is_better=..., **settings) and "
        "EarlyStoppingCallback(early_stopping_patience=...).",
    ),
)
def check_early_stopping(early_stopping_setup: Callable) -> CheckResult:
    """`early_stopping_setup(output_dir, eval_steps, patience, **settings)` -> (arguments, callback)."""
    import tempfile
    from pathlib import Path

    problem = not_a_function(
        "early_stopping_setup", early_stopping_setup, "(output_dir, eval_steps, patience, **settings)"
    )
    if problem is not None:
        return problem
    with tempfile.TemporaryDirectory() as folder:
        for name, eval_steps, patience, settings in EARLY_STOPPING_CALLS:
            output_dir = str(Path(folder) / name)
            with own_work("early_stopping"):
                built = early_stopping_setup(output_dir, eval_steps, patience, **settings)
            problem = _early_stopping_mistake(built, output_dir, eval_steps, patience, settings)
            if problem is not None:
                return problem
    return success(
        "early_stopping_setup evaluates and saves on the same steps, keeps the checkpoint with the lowest "
        "validation loss, and stops after `patience` evaluations without improvement."
    )
