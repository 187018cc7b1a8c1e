"""Notebook messages wrap at word boundaries (JupyterLab breaks long text lines mid-word)."""

from __future__ import annotations

import re

from course.display import WIDTH, wrap_lines

LONG = (
    "[NOT YET] your classify returned probabilities that do not sum to 1 on result 2: apply the "
    "softmax over the last dimension of the logits, then read the labels from the model's config"
)


def test_long_lines_wrap_at_word_boundaries_and_keep_every_word():
    text = wrap_lines(LONG + "\n  hint 1: " + "look where the pipeline turns logits into labels " * 3)
    lines = text.splitlines()
    assert all(len(line) <= WIDTH for line in lines)
    assert (
        re.sub(r"\s+", " ", text).split()
        == re.sub(
            r"\s+", " ", LONG + " hint 1: " + "look where the pipeline turns logits into labels " * 3
        ).split()
    )
    # continuation lines sit under the message's text, not under its mark
    assert lines[1].startswith(" " * len("[NOT YET] ")) and not lines[1].startswith(
        " " * (len("[NOT YET] ") + 1)
    )


def test_short_lines_and_unbreakable_words_are_left_alone():
    assert wrap_lines("[PASSED] short") == "[PASSED] short"
    path = "x" * (WIDTH + 20)
    assert wrap_lines(path) == path  # never split inside a word, even a long one


def test_the_self_check_prints_wrapped_lines(capsys):
    from course.checks import check
    from course.checks.base import REGISTRY, fail, register

    @register("display_test_long_failure", hints=("where to look " * 10, "which API " * 12))
    def _long(_):
        return fail(LONG)

    try:
        for _ in range(3):
            check("display_test_long_failure", None)
    finally:
        REGISTRY.pop("display_test_long_failure", None)
    printed = capsys.readouterr().out
    assert max(len(line) for line in printed.splitlines()) <= WIDTH
    assert "softmax" in printed and "hint 2:" in printed.replace("\n", " ") or "which API" in printed
