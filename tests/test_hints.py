"""Hints that unlock (issue #14, part 3): the self-check reveals more on repeated failures, one level
at a time, and records in the notebook how far the learner went; the grader's `run_check` unlocks nothing."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course.checks import (
    HINTS_MIME,
    check,
    fail,
    hint_record_output,
    register,
    reset_hints,
    run_check,
    success,
    use_if_passing,
)
from course.checks.base import HINTS
from course.grading.item_analysis import hint_records, hint_table, level_counts

WHERE, API = "look at the remainder of a division by 2", "the % operator"


@register("test_hint_even", hints=(WHERE, API))
def _even(number):
    if number % 2:
        return fail(f"{number} is odd", secret="the hidden inputs are 10 and 12")
    return success(f"{number} is even")


@register("test_hint_one_level", hints=("read the task again",))
def _positive(number):
    return success("positive") if number > 0 else fail("not positive")


@register("test_hint_none")
def _nothing(number):
    return fail("never passes")


@pytest.fixture(autouse=True)
def fresh_kernel():
    reset_hints()
    yield
    reset_hints()


def said(capsys, *args) -> str:
    check("test_hint_even", *args)
    return capsys.readouterr().out


def test_registration_keeps_the_levels():
    assert HINTS["test_hint_even"] == (WHERE, API) and HINTS["test_hint_none"] == ()


def test_hints_escalate_one_level_per_failure_and_stop_at_the_last(capsys):
    first = said(capsys, 1)
    assert first.startswith("[NOT YET] 1 is odd") and WHERE not in first and API not in first
    assert "hint 1 of 2" in first  # says that more help comes
    second = said(capsys, 3)
    assert f"where to look: {WHERE}" in second and API not in second
    for number in (5, 7, 9):  # the third failure and later: both levels, nothing more
        text = said(capsys, number)
        assert f"where to look: {WHERE}" in text and f"which API to call: {API}" in text
        assert "fails again" not in text
    assert "hidden inputs" not in first + second + text  # only the instructor's registered levels


def test_a_pass_reports_the_hints_used_and_restarts_the_escalation(capsys):
    said(capsys, 1)
    said(capsys, 3)
    passed = said(capsys, 2)
    assert passed.startswith("[PASSED] 2 is even") and "1 of 2 hint(s), after 2 failed tries" in passed
    again = said(capsys, 5)  # a new failure after a pass starts from the message again
    assert WHERE not in again
    assert said(capsys, 4) == "[PASSED] 4 is even\n  (passed with 1 of 2 hint(s), after 3 failed tries)\n"


def test_a_first_time_pass_prints_only_the_verdict(capsys):
    assert check("test_hint_even", 4).passed
    assert capsys.readouterr().out == "[PASSED] 4 is even\n"


def test_fewer_levels_show_what_there_is(capsys):
    for _ in range(4):
        check("test_hint_one_level", -1)
    text = capsys.readouterr().out.split("[NOT YET]")[-1]
    assert "where to look: read the task again" in text and "which API" not in text
    for _ in range(3):
        check("test_hint_none", 0)
    assert capsys.readouterr().out.splitlines()[-1] == "[NOT YET] never passes"


def test_run_check_and_use_if_passing_never_count_or_unlock(capsys):
    for number in (1, 3, 5, 7):
        assert not run_check("test_hint_even", number)
    use_if_passing(1, "test_hint_even", 2, "number", "counting", "number")
    text = said(capsys, 1)
    assert WHERE not in text  # still the first failure for the learner
    assert str(run_check("test_hint_even", 3)) == "[NOT YET] 3 is odd"  # the result carries no hints


def test_the_result_is_run_checks(capsys):
    for number in (1, 3, 5):
        result = check("test_hint_even", number)
        assert result.message == f"{number} is odd" and result.advice == ""


# --- recorded in the notebook ----------------------------------------------------------------------

SETUP = f"""
from course.checks import fail, register, success
@register("demo_even", hints=({WHERE!r}, {API!r}))
def _even(n):
    return success("even") if n % 2 == 0 else fail(f"{{n}} is odd")
import course
"""


def _notebook(calls: list[str]):
    nb = new_notebook(cells=[new_code_cell(SETUP)] + [new_code_cell(c) for c in calls])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _run(nb, tmp_path):
    from nbclient import NotebookClient

    NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    return nb


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """One learner's kernel: four failed self-checks, a pass, then the notebook saved and read back."""
    tmp = tmp_path_factory.mktemp("hints")
    calls = [f'_ = course.check("demo_even", {n})' for n in (1, 3, 5, 7, 2)]
    nb = _run(_notebook(calls), tmp)
    nbformat.write(nb, tmp / "saved.ipynb")
    return tmp, nbformat.read(tmp / "saved.ipynb", as_version=4)


def test_each_self_check_records_how_far_the_learner_went(session):
    _, nb = session
    records = [
        o.metadata[HINTS_MIME] for c in nb.cells[1:] for o in c.outputs if o.output_type == "display_data"
    ]
    assert [(r["failures"], r["hint_level"], r["passed"]) for r in records] == [
        (1, 0, False),
        (2, 1, False),
        (3, 2, False),
        (4, 2, False),
        (4, 2, True),
    ]
    assert all(r["check"] == "demo_even" and r["levels"] == 2 for r in records)
    # the record displays nothing: empty data, so JupyterLab renders no output and nbval compares none
    assert all(o.data == {} for c in nb.cells for o in c.outputs if o.output_type == "display_data")
    assert "which API to call" in nb.cells[3].outputs[0].text


def test_the_report_reads_the_record_from_the_saved_file(session):
    _, nb = session
    (record,) = hint_records(nb)
    assert record == {"check": "demo_even", "hint_level": 2, "failures": 4, "passed": True, "levels": 2}
    rows = [
        {"student": "a", "assignment": "x", "notebook": "n", "hints": [record]},
        {"student": "b", "assignment": "x", "notebook": "n", "hints": []},
        {"student": "c", "assignment": "x", "notebook": "n", "hints": [dict(record, hint_level=1)]},
    ]
    (entry,) = hint_table(rows, {("x", "n"): [("demo_even", "ex1-tests")]})
    assert level_counts(entry) == [0, 1, 1] and entry["no_record"] == 1 and entry["exercise"] == "ex1-tests"


def test_forged_or_broken_records_are_ignored():
    good = hint_record_output({"check": "c", "passed": False, "failures": 2, "hint_level": 1, "levels": 2})
    bad = [
        {"output_type": "display_data", "data": {}, "metadata": {HINTS_MIME: value}}
        for value in (
            "text",
            {"check": "c", "passed": "yes", "failures": 1, "hint_level": 0},
            {"check": "c", "passed": True, "failures": -1, "hint_level": 0},
            {"check": "c", "passed": True, "failures": 1, "hint_level": 10**6},
            {"check": "", "passed": True, "failures": 1, "hint_level": 0},
            {"check": "c", "passed": True, "failures": True, "hint_level": 0},
        )
    ]
    notebook = {"cells": [{"cell_type": "code", "execution_count": 3, "outputs": [good, *bad, 7]}, "junk"]}
    assert hint_records(notebook) == [
        {"check": "c", "hint_level": 1, "failures": 2, "passed": False, "levels": 2}
    ]
    assert hint_records({"cells": "nope"}) == [] and hint_records([]) == []


def test_nbval_compares_notebooks_with_and_without_the_record(session):
    """Stored outputs made before the record existed still pass nbval, and a changed verdict still fails."""
    tmp, nb = session
    old = nbformat.from_dict(nb)
    for c in old.cells:
        c.outputs = [o for o in c.outputs if o.output_type != "display_data"]
    nbformat.write(old, tmp / "without_record.ipynb")
    changed = nbformat.from_dict(old)
    changed.cells[2].outputs[0].text = "[NOT YET] 3 is odd\n"
    nbformat.write(changed, tmp / "changed.ipynb")
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--nbval",
        "--rootdir",
        str(tmp),
    ]
    ok = subprocess.run(
        [*command, "saved.ipynb", "without_record.ipynb"], cwd=tmp, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stdout[-2000:]
    bad = subprocess.run([*command, "changed.ipynb"], cwd=tmp, capture_output=True, text=True)
    assert bad.returncode == 1 and "changed.ipynb::Cell 2" in bad.stdout
