"""Plots for chapter 3: the padding waste of three batching strategies, and a Trainer's learning curve.

matplotlib, numpy and transformers are imported inside the functions (`import course` stays fast).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

STRATEGIES = ("fixed", "dynamic", "grouped")
LABELS = {
    "fixed": "fixed length\n(every row to {max_length})",
    "dynamic": "dynamic padding\n(batch's longest row)",
    "grouped": "dynamic padding,\nlength-grouped batches",
}


def padding_stats(
    lengths: Sequence[int], batch_size: int = 16, max_length: int = 128, seed: int = 42
) -> dict[str, dict[str, float]]:
    """Tokens and padding of one epoch over `lengths` for the three strategies.

    - fixed: `padding="max_length"`, every row padded to `max_length` (rows are shorter in MRPC);
    - dynamic: shuffled batches (as the Trainer's random sampler makes them), each padded to its longest row;
    - grouped: the order of transformers' `LengthGroupedSampler` (what
      `TrainingArguments(train_sampling_strategy="group_by_length")` uses), then dynamic padding.
    """
    lengths = [int(n) for n in lengths]
    if not lengths:
        raise ValueError("padding_stats needs at least one length")
    if max(lengths) > max_length:
        raise ValueError(
            f"a row has {max(lengths)} tokens, more than max_length={max_length}: "
            "truncate first, or raise max_length"
        )
    from course.checks.processing import batches_waste

    orders = batch_orders(lengths, batch_size=batch_size, seed=seed)
    return {
        "fixed": batches_waste(lengths, orders["dynamic"], batch_size, width=max_length),
        "dynamic": batches_waste(lengths, orders["dynamic"], batch_size),
        "grouped": batches_waste(lengths, orders["grouped"], batch_size),
    }


def batch_orders(lengths: Sequence[int], batch_size: int = 16, seed: int = 42) -> dict[str, list[int]]:
    """The order of the rows in one epoch: shuffled ("dynamic"), and length-grouped ("grouped").

    Cut either list into consecutive chunks of `batch_size` to get the batches.
    """
    import torch
    from transformers.trainer_pt_utils import LengthGroupedSampler

    lengths = [int(n) for n in lengths]
    shuffled = torch.randperm(len(lengths), generator=torch.Generator().manual_seed(seed)).tolist()
    grouped = list(
        LengthGroupedSampler(batch_size, lengths=lengths, generator=torch.Generator().manual_seed(seed))
    )
    return {"dynamic": shuffled, "grouped": grouped}


def plot_padding_waste(
    lengths: Sequence[int],
    batch_size: int = 16,
    max_length: int = 128,
    seed: int = 42,
    title: str = "MRPC train",
):
    """A bar chart of the share of padding per strategy; returns (figure, `padding_stats(...)`)."""
    import matplotlib.pyplot as plt

    stats = padding_stats(lengths, batch_size=batch_size, max_length=max_length, seed=seed)
    fig, ax = plt.subplots(figsize=(8, 3.4))
    names = [LABELS[s].format(max_length=max_length) for s in STRATEGIES]
    waste = [100 * stats[s]["waste"] for s in STRATEGIES]
    bars = ax.barh(names, waste, color=["#c44e52", "#dd8452", "#55a868"])
    for bar, strategy in zip(bars, STRATEGIES, strict=True):
        s = stats[strategy]
        ax.text(
            bar.get_width() + 1,
            bar.get_y() + bar.get_height() / 2,
            f"{100 * s['waste']:.1f}%  ({s['total_tokens'] / 1e3:.0f}k tokens in all)",
            va="center",
        )
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("padding, % of all tokens the model processes in one epoch")
    ax.set_title(f"Padding waste, {title}: {len(lengths)} rows, batch size {batch_size}")
    fig.tight_layout()
    return fig, stats


def loss_curves(log_history: Sequence[Mapping[str, Any]]):
    """(epoch, training loss) and (epoch, validation loss) pairs of a `trainer.state.log_history`."""
    from course.checks.trainer import loss_curves_reference

    return loss_curves_reference(log_history)


def plot_learning_curve(log_history: Sequence[Mapping[str, Any]], title: str = "Learning curve"):
    """Training loss (every logged step) and validation loss (every evaluation) against the epoch."""
    import matplotlib.pyplot as plt

    train, validation = loss_curves(log_history)
    if not train and not validation:
        raise ValueError(
            "the log history holds no 'loss' or 'eval_loss' entries: train with logging "
            "(logging_steps) and evaluation (eval_strategy='epoch') first"
        )
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    if train:
        ax.plot(*zip(*train, strict=True), marker=".", label="training loss (logged steps)")
    if validation:
        ax.plot(
            *zip(*validation, strict=True), marker="o", linestyle="--", label="validation loss (each epoch)"
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy loss")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig
