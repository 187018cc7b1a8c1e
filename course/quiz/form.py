"""The ipywidgets form of a quiz question: options, a Check button, the verdict with its explanations."""

from __future__ import annotations

import html
import re

from course.quiz.answers import result
from course.quiz.bank import question

_CODE = re.compile(r"`([^`]+)`")
_EMPHASIS = re.compile(r"\*\*([^*]+)\*\*|\*([^*]+)\*")


def to_html(text: str) -> str:
    """Escape `text` and render its `code` and *emphasis* (the only markdown the bank uses)."""
    escaped = html.escape(text)
    escaped = _CODE.sub(r"<code>\1</code>", escaped)
    return _EMPHASIS.sub(
        lambda m: f"<b>{m.group(1)}</b>" if m.group(1) else f"<em>{m.group(2)}</em>", escaped
    )


def answer_literal(multiple: bool, chosen: list[str]) -> str:
    """How the graded answer cell writes this choice: "b", or {"a", "c"}."""
    if multiple:
        return "{" + ", ".join(f'"{letter}"' for letter in sorted(chosen)) + "}" if chosen else "set()"
    return f'"{chosen[0]}"' if chosen else "None"


def verdict_html(qid: str, answer: object, variable: str, literal: str) -> str:
    """The verdict as HTML, and the line that gives this choice in the graded cell."""
    verdict = result(qid, answer)
    color = "#1a7f37" if verdict.passed else "#9a6700"
    mark = "PASSED" if verdict.passed else "NOT YET"
    items = "".join(f"<li>{to_html(line)}</li>" for line in verdict.lines)
    return (
        f'<div style="border-left: 4px solid {color}; padding-left: 8px">'
        f'<b style="color: {color}">[{mark}]</b> {to_html(verdict.message)}'
        + (f"<ul>{items}</ul>" if items else "")
        + f"<p>For the grade, write in the answer cell: <code>{variable} = {html.escape(literal)}</code></p>"
        "</div>"
    )


def quiz_widget(qid: str):
    """Radio buttons (one answer) or checkboxes (every right option), a Check button and the verdict."""
    import ipywidgets as widgets

    q = question(qid)
    labels = [f"({letter}) {text.replace('`', '')}" for letter, text in zip(q.letters, q.options)]
    wide = widgets.Layout(width="auto")
    if q.multiple:
        boxes = [
            widgets.Checkbox(value=False, description=label, indent=False, layout=wide) for label in labels
        ]
        picker = widgets.VBox(boxes)

        def chosen() -> list[str]:
            return [letter for letter, box in zip(q.letters, boxes) if box.value]
    else:
        picker = widgets.RadioButtons(options=list(zip(labels, q.letters)), value=None, layout=wide)

        def chosen() -> list[str]:
            return [picker.value] if picker.value else []

    button = widgets.Button(description="Check", button_style="primary")
    verdict = widgets.HTML()

    def check(_button=None) -> None:
        letters = chosen()
        answer = set(letters) if q.multiple else (letters[0] if letters else None)
        verdict.value = verdict_html(q.id, answer, q.variable, answer_literal(q.multiple, letters))

    button.on_click(check)
    header = widgets.HTML(
        f"<b>{to_html(q.label)}</b>" + (" (choose every right option)" if q.multiple else "")
    )
    box = widgets.VBox([header, picker, button, verdict])
    box.check = check  # for tests: what a click does
    return box
