"""Plots of notebook 10 (optimized inference): the KV cache on and off, throughput against batch size,
memory, and int8 quantization. They take what `course.inference.measure` returns; matplotlib is imported
inside the functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _smooth(values: Sequence[float], width: int = 5) -> list[float]:
    """A running median over `width` steps (single steps jitter with the machine's load)."""
    import statistics

    half = width // 2
    return [statistics.median(values[max(0, i - half) : i + half + 1]) for i in range(len(values))]


def plot_kv_cache(effect: Mapping[str, Any]) -> Any:
    """Milliseconds per generated token against its position, with and without the KV cache."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.6))
    start = effect["prompt_tokens"]
    for name, label, color in (
        ("no_cache", "use_cache=False", "tab:red"),
        ("cache", "use_cache=True", "tab:blue"),
    ):
        steps = [1000 * s for s in effect[name]["step_seconds"]]
        positions = range(start + 1, start + 1 + len(steps))
        ax.plot(positions, steps, color=color, alpha=0.25, linewidth=0.8)
        total = effect[name]["seconds"]
        ax.plot(positions, _smooth(steps), color=color, label=f"{label}: {total:.2f} s in all")
    ax.set_xlabel("length of the sequence when the token is generated")
    ax.set_ylabel("ms per new token")
    ax.set_title("Each new token: with the cache a constant cost, without it a growing one")
    ax.set_ylim(bottom=0)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_batching(rows: Sequence[Mapping[str, Any]]) -> Any:
    """New tokens per second (all rows together) and seconds per batch, against the batch size."""
    import matplotlib.pyplot as plt

    sizes = [r["batch_size"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    left.plot(sizes, [r["tokens_per_second"] for r in rows], "o-", color="tab:green")
    left.set_xscale("log", base=2)
    left.set_xticks(sizes, [str(s) for s in sizes])
    left.set_xlabel("batch size")
    left.set_ylabel("new tokens per second")
    left.set_title("Throughput grows with the batch")
    right.plot(sizes, [r["seconds"] for r in rows], "o-", color="tab:purple")
    right.set_xscale("log", base=2)
    right.set_xticks(sizes, [str(s) for s in sizes])
    right.set_xlabel("batch size")
    right.set_ylabel("seconds for the batch")
    right.set_title("while each batch takes a little longer")
    right.set_ylim(bottom=0)
    fig.tight_layout()
    return fig


def plot_memory(parts: Mapping[str, float], title: str) -> Any:
    """Horizontal bars of megabytes, e.g. the parameters and the KV cache at a few lengths."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 0.6 + 0.45 * len(parts)))
    names = list(parts)
    values = [parts[n] / 1e6 for n in names]
    ax.barh(names, values, color="tab:orange")
    for y, value in enumerate(values):
        ax.text(value, y, f" {value:,.1f} MB", va="center")
    ax.invert_yaxis()
    ax.set_xlabel("MB")
    ax.set_title(title)
    ax.set_xlim(right=max(values) * 1.3)
    fig.tight_layout()
    return fig


def plot_quantization(found: Mapping[str, Any]) -> Any:
    """Size on disk and generation time, float32 against int8 (dynamic quantization of the Linear layers)."""
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
    kinds = ["float32", "int8"]
    left.bar(kinds, [found[f"{k}_bytes"] / 1e6 for k in kinds], color=["tab:blue", "tab:green"])
    left.set_ylabel("MB (torch.save of the state dict)")
    left.set_title("Size")
    right.bar(kinds, [found[f"{k}_seconds"] for k in kinds], color=["tab:blue", "tab:green"])
    right.set_ylabel("seconds to generate")
    right.set_title("Time of the same generation")
    fig.tight_layout()
    return fig
