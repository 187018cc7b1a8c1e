"""Plots and tables for "Behind the pipeline": what the tokenizer hands the model, token by token."""

from __future__ import annotations

from typing import Any


def _rows(batch: Any) -> tuple[list[list[int]], list[list[int]]]:
    """input_ids and attention_mask of a tokenizer batch as lists of rows (tensor, array or lists)."""
    ids, mask = batch["input_ids"], batch.get("attention_mask")
    ids = ids.tolist() if hasattr(ids, "tolist") else [list(row) for row in ids]
    if mask is None:
        mask = [[1] * len(row) for row in ids]
    else:
        mask = mask.tolist() if hasattr(mask, "tolist") else [list(row) for row in mask]
    return ids, mask


def token_table(tokenizer: Any, batch: Any, row: int = 0) -> str:
    """A text table of one row of a batch: position, token, id and attention mask, one line per token."""
    ids, mask = _rows(batch)
    tokens = tokenizer.convert_ids_to_tokens(ids[row])
    width = max(5, *(len(token) for token in tokens))
    lines = [f"{'pos':>3}  {'token':<{width}}  {'id':>6}  mask"]
    for position, (token, token_id, seen) in enumerate(zip(tokens, ids[row], mask[row])):
        lines.append(f"{position:>3}  {token:<{width}}  {token_id:>6}  {seen}")
    return "\n".join(lines)


def mask_heatmap(tokenizer: Any, batch: Any, ax: Any = None, title: str | None = None):
    """Heatmap of the attention mask (rows: sentences, columns: positions), each cell labelled by its token.

    Dark cells are tokens the model attends to (mask 1); pale cells are padding (mask 0). Returns the figure.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    ids, mask = _rows(batch)
    grid = np.array(mask, dtype=float)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6.0, 0.75 * grid.shape[1]), 0.9 * grid.shape[0] + 1.4))
    ax.imshow(grid, cmap="Blues", vmin=-0.3, vmax=1.3, aspect="auto")
    for r, row in enumerate(ids):
        for c, token in enumerate(tokenizer.convert_ids_to_tokens(row)):
            colour = "white" if grid[r, c] > 0.5 else "dimgray"
            ax.text(c, r - 0.12, token, ha="center", va="center", fontsize=8, color=colour, rotation=0)
            ax.text(c, r + 0.25, str(row[c]), ha="center", va="center", fontsize=7, color=colour)
    ax.set_yticks(range(grid.shape[0]), [f"sentence {r}" for r in range(grid.shape[0])])
    ax.set_xticks(range(grid.shape[1]))
    ax.set_xlabel("position (token above, id below); dark = attention_mask 1, pale = padding (0)")
    ax.set_title(title or "What the model receives: tokens, ids and the attention mask")
    ax.figure.tight_layout()
    return ax.figure
