"""Plots for chapter 3, notebook 11 "Understanding learning curves": loss and accuracy curves of Trainer runs.

Every plot reads a `trainer.state.log_history` (training entries with "loss", evaluations with "eval_loss"
and "eval_accuracy") and puts steps on the x axis. matplotlib is imported inside the functions (`import
course` stays fast); the numbers come from `course.checks.curves`, the course's own reading of a log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

History = Sequence[Mapping[str, Any]]
COLORS = {"train": "#4c72b0", "eval": "#dd8452", "accuracy": "#55a868", "baseline": "#8c8c8c"}


def loss_series(log_history: History) -> dict[str, tuple[list[int], list[float]]]:
    """{"train": (steps, losses), "eval": (steps, eval losses)} of a Trainer's log history."""
    from course.checks.curves import loss_series_reference

    return loss_series_reference(log_history)


def accuracy_series(log_history: History, key: str = "eval_accuracy") -> tuple[list[int], list[float]]:
    """(steps, values) of the evaluations that logged `key`, in log order."""
    entries = [entry for entry in log_history if key in entry]
    return [int(entry["step"]) for entry in entries], [float(entry[key]) for entry in entries]


def diagnose(log_history: History) -> str:
    """The course's diagnosis of a log: "healthy", "overfitting", "underfitting" or "erratic"."""
    from course.checks.curves import diagnose_reference

    return diagnose_reference(log_history)


def _draw(
    loss_ax,
    accuracy_ax,
    log_history: History,
    baseline: float | None,
    marks: Mapping[str, int] | None,
) -> None:
    series = loss_series(log_history)
    if not series["train"][0] and not series["eval"][0]:
        raise ValueError(
            "the log history holds no 'loss' or 'eval_loss' entries: train with logging_steps and "
            "an eval_strategy first"
        )
    loss_ax.plot(*series["train"], color=COLORS["train"], marker=".", label="training loss")
    if series["eval"][0]:
        loss_ax.plot(
            *series["eval"], color=COLORS["eval"], marker="o", linestyle="--", label="validation loss"
        )
    steps, accuracy = accuracy_series(log_history)
    if steps:
        accuracy_ax.plot(
            steps,
            accuracy,
            color=COLORS["accuracy"],
            marker="o",
            drawstyle="steps-post",
            label="validation accuracy",
        )
    if baseline is not None:
        accuracy_ax.axhline(
            baseline, color=COLORS["baseline"], linestyle=":", label=f"majority baseline {baseline:.3f}"
        )
    for name, step in (marks or {}).items():
        for ax in (loss_ax, accuracy_ax):
            ax.axvline(step, color="#c44e52", linestyle="-.", alpha=0.6)
        loss_ax.annotate(name, (step, loss_ax.get_ylim()[1]), rotation=90, va="top", ha="right", fontsize=8)
    loss_ax.set_ylabel("cross-entropy loss")
    accuracy_ax.set_ylabel("accuracy")
    accuracy_ax.set_ylim(0, 1)
    for ax in (loss_ax, accuracy_ax):
        ax.set_xlabel("training step")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)


def plot_curves(
    log_history: History,
    title: str = "Learning curves",
    baseline: float | None = None,
    marks: Mapping[str, int] | None = None,
):
    """Loss curves (left: training and validation) and the accuracy curve (right) of one run.

    `baseline`: the majority-class accuracy, drawn beside the accuracy; `marks`: {label: step} drawn as
    vertical lines (e.g. where early stopping stopped). Returns the figure.
    """
    import matplotlib.pyplot as plt

    fig, (loss_ax, accuracy_ax) = plt.subplots(1, 2, figsize=(10, 3.4))
    _draw(loss_ax, accuracy_ax, log_history, baseline, marks)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_runs(runs: Mapping[str, History], baseline: float | None = None):
    """One column per run (losses on top, accuracy below), titled with its name and the course's diagnosis."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, len(runs), figsize=(3.6 * len(runs), 5.6), squeeze=False)
    for column, (name, history) in enumerate(runs.items()):
        _draw(axes[0][column], axes[1][column], history, baseline, None)
        axes[0][column].set_title(f"{name}\ndiagnosis: {diagnose(history)}", fontsize=10)
    fig.tight_layout()
    return fig


def describe_run(name: str, log_history: History, baseline: float) -> str:
    """The course's diagnosis of a run with the numbers behind it, and its accuracy beside the baseline."""
    from course.checks.curves import diagnose_reference, evidence

    lines = [f"{name}: {diagnose_reference(log_history)}. {evidence(log_history)}"]
    _, accuracy = accuracy_series(log_history)
    if accuracy:
        lines.append(
            f"  validation accuracy {accuracy[-1]:.3f} at the end, best {max(accuracy):.3f}; "
            f"majority baseline {baseline:.3f}"
        )
    return "\n".join(lines)
