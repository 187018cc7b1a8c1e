"""Plots for "Handling multiple sequences": the attention mask over the tokens of a padded batch."""

from __future__ import annotations

from typing import Any


def _rows(values: Any) -> list[list[int]]:
    return values.tolist() if hasattr(values, "tolist") else [list(row) for row in values]


def mask_table(input_ids: Any, attention_mask: Any, tokenizer: Any) -> str:
    """The batch as text: one line per row, each token with its mask value (token/1 or token/0)."""
    lines = []
    for i, (ids, mask) in enumerate(zip(_rows(input_ids), _rows(attention_mask))):
        tokens = tokenizer.convert_ids_to_tokens(ids)
        lines.append(f"row {i}: " + " ".join(f"{t}/{m}" for t, m in zip(tokens, mask)))
    return "\n".join(lines)


def plot_attention_mask(
    input_ids: Any, attention_mask: Any, tokenizer: Any, title: str | None = None, ax: Any = None
) -> Any:
    """A heatmap of the attention mask, one row per sequence, each cell labelled with its token.

    Dark cells (1) are tokens the model attends to; light cells (0) are padding it must ignore.
    Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    ids, mask = _rows(input_ids), np.array(_rows(attention_mask))
    if ax is None:
        width = min(2 + 0.75 * mask.shape[1], 18)
        fig, ax = plt.subplots(figsize=(width, 1.3 + 0.6 * mask.shape[0]))
    else:
        fig = ax.figure
    ax.imshow(mask, cmap="Blues", vmin=-0.3, vmax=1.2, aspect="auto")
    for i, row in enumerate(ids):
        for j, token in enumerate(tokenizer.convert_ids_to_tokens(row)):
            colour = "white" if mask[i, j] else "grey"
            ax.text(j, i, f"{token}\n{mask[i, j]}", ha="center", va="center", fontsize=8, color=colour)
    ax.set_xticks(range(mask.shape[1]))
    ax.set_yticks(range(mask.shape[0]), [f"row {i}" for i in range(mask.shape[0])])
    ax.set_xlabel("position (token / mask value)")
    ax.set_title(title or "attention mask: 1 = attend (dark), 0 = padding, ignored (light)")
    fig.tight_layout()
    return fig
