"""Plots and widgets of the Tokenizers notebook: the tokenizer comparison and the token explorer.

matplotlib and ipywidgets are imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

DEFAULT_TEXT = "Using a Transformer network is simple"
STAT_PANELS = (
    ("vocab_size", "vocabulary size (log scale)", "{:,.0f}"),
    ("unk_rate", "unknown tokens (% of test tokens)", "{:.2f}%"),
    ("tokens_per_text", "tokens per sentence", "{:.1f}"),
)


def plot_comparison(stats: Mapping[str, Mapping[str, float]], title: str | None = None):
    """Three bar charts side by side: vocabulary size, unknown rate and sequence length per tokenizer.

    `stats` maps a tokenizer's name to {"vocab_size", "unk_rate", "tokens_per_text"} (as given by
    `course.tokenizer_zoo.vocab_stats` / `subword_stats`). Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    names = list(stats)
    colors = [plt.get_cmap("tab10")(i % 10) for i in range(len(names))]
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    for ax, (key, label, fmt) in zip(axes, STAT_PANELS):
        values = [float(stats[name][key]) * (100 if key == "unk_rate" else 1) for name in names]
        bars = ax.bar(range(len(names)), values, color=colors)
        ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
        ax.set_title(label, fontsize=10)
        if key == "vocab_size":
            ax.set_yscale("log")
            ax.set_ylim(1, max(values) * 4)
        else:
            ax.margins(y=0.2)
        for bar, value in zip(bars, values):
            ax.annotate(
                fmt.format(value),
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=8,
                xytext=(0, 2),
                textcoords="offset points",
            )
    fig.suptitle(title or "The same test sentences, tokenized four ways", fontsize=11)
    fig.tight_layout()
    return fig


def encode_rows(tokenizer: Any, text: str, max_length: int | None = None) -> dict[str, list]:
    """Tokens, ids and attention mask of `text`; with `max_length`, padded/truncated to that length."""
    if max_length:
        encoded = tokenizer(text, padding="max_length", truncation=True, max_length=int(max_length))
    else:
        encoded = tokenizer(text)
    ids = list(encoded["input_ids"])
    mask = list(encoded.get("attention_mask") or [1] * len(ids))
    return {"token": tokenizer.convert_ids_to_tokens(ids), "id": ids, "mask": mask}


def token_table(
    tokenizer: Any, text: str = DEFAULT_TEXT, max_length: int | None = None, width: int = 96
) -> str:
    """A plain-text table, one column per token: the token, its id and its attention-mask value.

    Long texts wrap into several blocks of at most `width` characters.
    """
    rows = encode_rows(tokenizer, text, max_length)
    columns = [(str(t), str(i), str(m)) for t, i, m in zip(rows["token"], rows["id"], rows["mask"])]
    blocks, current, used = [], [], 6
    for column in columns:
        size = max(len(cell) for cell in column) + 2
        if current and used + size > width:
            blocks.append(current)
            current, used = [], 6
        current.append((column, size))
        used += size
    if current:
        blocks.append(current)
    lines = []
    for block in blocks:
        for row, label in enumerate(("token", "id", "mask")):
            lines.append(f"{label:<6}" + "".join(cell[row].rjust(size) for cell, size in block))
        lines.append("")
    return "\n".join(lines).rstrip() + f"\n({len(columns)} tokens, {sum(rows['mask'])} attended)"


def token_html(tokenizer: Any, text: str = DEFAULT_TEXT, max_length: int | None = None) -> str:
    """The same table as `token_table`, as HTML: padded positions (mask 0) are greyed out."""
    rows = encode_rows(tokenizer, text, max_length)
    cell = "padding:2px 6px;border:1px solid #ddd;text-align:center;font-family:monospace"
    out = ["<table style='border-collapse:collapse'>"]
    for label in ("token", "id", "mask"):
        out.append(f"<tr><th style='{cell};text-align:left'>{label}</th>")
        for value, mask in zip(rows[label], rows["mask"]):
            shade = "" if mask else ";background:#eee;color:#999"
            out.append(f"<td style='{cell}{shade}'>{html.escape(str(value))}</td>")
        out.append("</tr>")
    out.append("</table>")
    out.append(f"<p>{len(rows['id'])} tokens, {sum(rows['mask'])} attended</p>")
    return "".join(out)


def _widgets_available() -> bool:
    from course.env import in_notebook

    if not in_notebook():
        return False
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def explorer(tokenizer: Any, text: str = DEFAULT_TEXT, max_length: int = 0):
    """An interactive tokenizer explorer: type text, see its tokens, ids and attention mask.

    "pad to" > 0 pads (and truncates) to that many tokens, so that the mask shows its 0s.
    In a notebook with ipywidgets it displays the widget and returns it; frontends that cannot
    draw widgets show the plain-text table instead. Without ipywidgets or outside a notebook it
    prints the static table and returns None.
    """
    if not _widgets_available():
        print(token_table(tokenizer, text, max_length or None))
        return None
    import ipywidgets as widgets
    from IPython.display import HTML, display

    box = widgets.Text(
        value=text, description="text", continuous_update=True, layout=widgets.Layout(width="95%")
    )
    pad = widgets.IntSlider(value=max_length, min=0, max=64, description="pad to", continuous_update=True)
    out = widgets.Output()

    def render(_change: Any = None) -> None:
        out.clear_output(wait=True)
        with out:
            display(HTML(token_html(tokenizer, box.value, pad.value or None)))

    box.observe(render, names="value")
    pad.observe(render, names="value")
    render()
    ui = widgets.VBox([box, pad, out])
    bundle = dict(ui._repr_mimebundle_())
    bundle["text/plain"] = token_table(tokenizer, text, max_length or None)
    display(bundle, raw=True)
    return ui
