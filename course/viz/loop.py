"""Plots for "A full training loop": the loss curve (with its learning rate) and losses per run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def moving_average(values: Sequence[float], window: int) -> list[float]:
    """The mean of the last `window` values at every step (fewer at the start)."""
    averaged, total = [], 0.0
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        averaged.append(total / min(i + 1, window))
    return averaged


def plot_loss_curve(
    losses: Sequence[float] | Mapping[str, Sequence[float]],
    lrs: Sequence[float] | None = None,
    window: int = 10,
    title: str = "Training loss per step",
):
    """Training loss per step (raw and a moving average); the learning rate on a second axis.

    `losses` is one list, or a dict {run name: list} to compare runs (e.g. plain loop vs Accelerate).
    Returns the figure (the caller shows it with plt.show()).
    """
    import matplotlib.pyplot as plt

    runs = dict(losses) if isinstance(losses, Mapping) else {"training loss": list(losses)}
    fig, ax = plt.subplots(figsize=(8, 4))
    for (name, values), color in zip(runs.items(), ("tab:blue", "tab:orange", "tab:green", "tab:purple")):
        steps = range(1, len(values) + 1)
        ax.plot(steps, values, color=color, alpha=0.3, linewidth=1)
        ax.plot(
            steps,
            moving_average(list(values), window),
            color=color,
            linewidth=2,
            label=f"{name} (mean of last {window} steps)",
        )
    ax.set_xlabel("training step")
    ax.set_ylabel("cross-entropy loss")
    ax.set_title(title)
    if lrs is not None:
        twin = ax.twinx()
        twin.plot(range(1, len(lrs) + 1), lrs, color="gray", linestyle="--", label="learning rate")
        twin.set_ylabel("learning rate")
        twin.set_ylim(bottom=0)
        twin.legend(loc="upper right")
    ax.legend(loc="lower left")
    fig.tight_layout()
    return fig
