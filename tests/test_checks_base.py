"""The shared check machinery: results, the registry, crashes turned into advice, the fallback picker."""

from __future__ import annotations

import pytest

from course.checks import available, check, fail, register, run_check, success, use_if_passing


@register("test_is_even")
def _is_even(number):
    if number % 2:
        return fail(f"{number} is odd: add or remove one")
    return success(f"{number} is even")


def test_results_read_well_and_assert(capsys):
    assert check("test_is_even", 4).passed
    assert "[PASSED] 4 is even" in capsys.readouterr().out
    result = run_check("test_is_even", 3)
    assert not result and str(result) == "[NOT YET] 3 is odd: add or remove one"
    with pytest.raises(AssertionError, match="3 is odd"):
        result.assert_passed()


def test_unanswered_and_crashing_answers_become_messages():
    assert "not yet" in run_check("test_is_even", _Raises(NotImplementedError)).message
    crashed = run_check(
        "test_is_even", _Raises(ValueError("not enough values to unpack (expected 2, got 1)"))
    )
    assert not crashed and "ValueError" in crashed.message and "2-D" in crashed.advice


def test_unknown_check_lists_the_known_ones():
    with pytest.raises(KeyError, match="test_is_even"):
        run_check("no_such_check")
    assert "pipeline_batch" in available() and "lm_group_texts" in available()


def test_use_if_passing_prefers_a_passing_answer(capsys):
    assert use_if_passing(4, "test_is_even", 0, "number", "counting", "number") == 4
    assert "counting with your number (it passes test_is_even)" in capsys.readouterr().out
    assert use_if_passing(3, "test_is_even", 0, "number", "counting", "number") == 0
    assert use_if_passing(None, "test_is_even", 0, "number", "counting", "number") == 0
    assert "does not pass test_is_even yet" in capsys.readouterr().out


class _Raises(int):
    """An 'answer' whose use raises, as a learner's broken code does inside a check."""

    def __new__(cls, error):
        self = super().__new__(cls, 1)
        self.error = error
        return self

    def __mod__(self, other):
        raise self.error
