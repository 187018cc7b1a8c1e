"""The grader survives any submission: one batch of fixture students, each breaking something.

The fixture assignment (tests/fixtures/grading, built by build_fixture.py) has two notebooks:
01_basics (ex1 2 points, ex2 1 point, ex3 3 points) and 02_words (1 point). One `grade` run over
all students below, with --jobs 2 and a 5 s cell timeout, takes about half a minute on 2 cores.
"""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path

import nbformat
import pytest

from course.grading.grade import grade
from course.grading.release import build_release, compare, release
from course.grading.report import summary_lines

pytestmark = pytest.mark.grading

FIXTURE = Path(__file__).parent / "fixtures" / "grading" / "solutions"
BASICS, WORDS = "01_basics", "02_words"


def solution_nb(name: str):
    return nbformat.read(FIXTURE / "fixture" / f"{name}.ipynb", as_version=4)


def cell(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def answer(nb, grade_id: str, source: str):
    cell(nb, grade_id).source = source
    return nb


def basics_with(**answers: str):
    nb = solution_nb(BASICS)
    for grade_id, source in answers.items():
        answer(nb, grade_id, source)
    return nb


def students(release_dir: Path) -> dict[str, dict[str, object]]:
    """student -> {notebook: NotebookNode | str (raw file text)}."""
    untouched = {
        n: nbformat.read(release_dir / "fixture" / f"{n}.ipynb", as_version=4) for n in (BASICS, WORDS)
    }

    edited = basics_with(ex1="def square(x):\n    return 0", ex2='words = ["x"]')
    cell(edited, "ex1-tests").source = "pass  # the learner emptied the test"
    cell(edited, "ex3-tests").metadata["nbgrader"]["points"] = 100
    edited.cells.remove(cell(edited, "ex2-tests"))

    forged = copy.deepcopy(untouched[BASICS])
    for c in forged.cells:
        if c.metadata.get("nbgrader", {}).get("grade"):
            c.execution_count = 7
            c.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text="[PASSED] all tests\n"),
                nbformat.v4.new_output("execute_result", data={"text/plain": "1.0"}, execution_count=7),
            ]

    huge = basics_with(
        ex1="def square(x):\n    return x * x\nprint('x' * 3_000_000)\nfor i in range(50_000):\n    print(i)"
    )
    huge.cells[0].source += "\n" + "y" * 10
    bulky = nbformat.v4.new_output("stream", name="stdout", text="z" * 30_000_000)
    cell(huge, "ex2").outputs = [bulky]

    tamper = basics_with(
        ex1="def square(x):\n    return 0\nimport course\n"
        "course.check = lambda *a, **k: course.checks.success('ok')",
        ex2="import builtins\nbuiltins.sorted = lambda *a, **k: ['hello', 'world']\nwords = ['nope']",
    )
    return {
        "perfect": {BASICS: solution_nb(BASICS), WORDS: solution_nb(WORDS)},
        "untouched": {BASICS: untouched[BASICS]},
        # a syntax error, an exception, and sys.exit() after a correct answer (the kernel survives it)
        "broken": {
            BASICS: basics_with(
                ex1="def square(x)\n    return x * x",
                ex2='raise ValueError("boom")',
                ex3="def count_tokens(text):\n    return len(text.split())\nimport sys\nsys.exit('bye')",
            )
        },
        # an infinite loop inside a tested function, then a loop that swallows the interrupt
        "loops": {
            BASICS: basics_with(
                ex1="def square(x):\n    while True:\n        pass",
                ex3="import time\nwhile True:\n    try:\n        time.sleep(0.1)\n"
                "    except BaseException:\n        pass",
            )
        },
        "killer": {BASICS: basics_with(ex3="import os\nos._exit(1)")},
        "shadow": {
            BASICS: basics_with(ex2="def sorted(x):\n    return ['hello', 'world']\nwords = ['nope']")
        },
        "tamper": {BASICS: tamper, WORDS: solution_nb(WORDS)},
        "edited": {BASICS: edited},
        "forged": {BASICS: forged},
        "invalid": {BASICS: '{"cells": [ {"cell_type": "code", "source": "trunc', WORDS: solution_nb(WORDS)},
        "missing": {WORDS: solution_nb(WORDS)},
        "huge": {BASICS: huge},
    }


# student -> expected (01_basics, 02_words) scores; a notebook not submitted scores 0.
EXPECTED = {
    "perfect": (6, 1),
    "untouched": (0, 0),
    "broken": (3, 0),
    "loops": (1, 0),
    "killer": (3, 0),
    "shadow": (5, 0),
    "tamper": (0, 1),
    "edited": (3, 0),
    "forged": (0, 0),
    "invalid": (0, 1),
    "missing": (0, 1),
    "huge": (6, 0),
}


def write_submissions(root: Path, release_dir: Path) -> Path:
    for student, notebooks in students(release_dir).items():
        folder = root / student / "fixture"
        folder.mkdir(parents=True)
        for name, content in notebooks.items():
            path = folder / f"{name}.ipynb"
            if isinstance(content, str):
                path.write_text(content)
            else:
                nbformat.write(content, path)
    return root


@pytest.fixture(scope="module")
def release_dir(tmp_path_factory) -> Path:
    return build_release(FIXTURE, tmp_path_factory.mktemp("release"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory, release_dir):
    root = write_submissions(tmp_path_factory.mktemp("submitted"), release_dir)
    out = tmp_path_factory.mktemp("graded")
    run = grade(root, out, jobs=2, timeout=5, source_root=FIXTURE, progress=False)
    print("\n".join(summary_lines(run)))
    by_key = {(o.submission.student, o.submission.notebook): o for o in run.outcomes}
    return run, by_key, out


def problems(by_key, student, notebook=BASICS) -> str:
    return " | ".join(by_key[(student, notebook)].problems)


# --- release ----------------------------------------------------------------------------------------


def test_release_stubs_solutions_hides_tests_clears_outputs(release_dir):
    nb = nbformat.read(release_dir / "fixture" / f"{BASICS}.ipynb", as_version=4)
    text = json.dumps(nb)
    assert "HIDDEN TESTS" not in text and "exact(" not in text and "emit(" not in text
    assert "return x * x" not in text and "raise NotImplementedError()" in cell(nb, "ex1").source
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")
    assert 'course.check("fixture_square", square).assert_passed()' in cell(nb, "ex1-tests").source


def test_release_is_deterministic_and_check_finds_drift(tmp_path, release_dir):
    target = tmp_path / "notebooks"
    first = release(FIXTURE, target)
    assert not first.in_sync and len(first.missing) == 2
    assert compare(release_dir, target, ["fixture"]).in_sync  # two builds, the same bytes
    (target / "fixture" / f"{WORDS}.ipynb").write_text("{}")
    (target / "old").mkdir()
    nbformat.write(solution_nb(WORDS), target / "old" / "x.ipynb")
    drift = release(FIXTURE, target, check=True)
    assert drift.changed == [f"notebooks/fixture/{WORDS}.ipynb"] and drift.stale == ["notebooks/old/"]
    assert (target / "old").exists()  # --check writes nothing
    release(FIXTURE, target)
    assert compare(release_dir, target, ["fixture"]).in_sync and not (target / "old").exists()


# --- the batch --------------------------------------------------------------------------------------


def test_every_student_gets_exactly_the_points_earned(graded):
    run, by_key, _ = graded
    got = {s: (by_key[(s, BASICS)].score, by_key[(s, WORDS)].score) for s in EXPECTED}
    assert got == {s: tuple(float(v) for v in pair) for s, pair in EXPECTED.items()}
    assert all(o.max_score == (6 if o.submission.notebook == BASICS else 1) for o in run.outcomes)
    assert run.exit_code == 0  # students broke things; grading itself did not fail


def test_gradebook_is_consistent_with_the_csv_after_parallel_grading(graded):
    from nbgrader.api import Gradebook

    _, by_key, out = graded
    with open(out / "scores.csv") as handle:
        rows = {r["student"]: r for r in csv.DictReader(handle)}
    with Gradebook(f"sqlite:///{out / 'nbgrader' / 'gradebook.db'}") as gb:
        assert sorted(s.id for s in gb.students) == sorted(EXPECTED)
        for student in EXPECTED:
            total = sum(n.score for sub in gb.find_student(student).submissions for n in sub.notebooks)
            assert float(rows[student]["total"]) == total == sum(EXPECTED[student])
            assert float(rows[student][f"fixture/{BASICS}"]) == EXPECTED[student][0]
    assert rows["(max)"]["total"] == "7"


def test_syntax_error_exception_and_exit_are_reported(graded):
    _, by_key, _ = graded
    assert "syntax error in ex1" in problems(by_key, "broken")
    tests = {t["grade_id"]: t for t in by_key[("broken", BASICS)].tests}
    assert tests["ex2-tests"]["score"] == 0 and "NameError" in tests["ex2-tests"]["message"]
    assert tests["ex3-tests"]["score"] == 3  # sys.exit() raised SystemExit; the kernel went on


def test_infinite_loops_are_stopped_by_the_timeout(graded):
    _, by_key, _ = graded
    line = problems(by_key, "loops")
    assert "hit the per-cell timeout" in line and "ignored the timeout's interrupt" in line


def test_kernel_death_keeps_earlier_points_and_grades_other_notebooks(graded):
    _, by_key, _ = graded
    assert "kernel died" in problems(by_key, "killer")
    assert by_key[("tamper", WORDS)].score == 1 and by_key[("invalid", WORDS)].score == 1


def test_tampering_scores_nothing_and_is_flagged(graded):
    from nbgrader.api import Gradebook

    _, by_key, out = graded
    line = problems(by_key, "tamper")
    assert "tampering" in line and "course.check" in line and "builtins.sorted" in line
    with Gradebook(f"sqlite:///{out / 'nbgrader' / 'gradebook.db'}") as gb:
        assert gb.find_submission_notebook(BASICS, "fixture", "tamper").flagged
    assert "shadows builtins sorted" in problems(by_key, "shadow")


def test_hidden_tests_alone_resist_monkeypatching(tmp_path, release_dir):
    """With the static scan off, the runtime layer still refuses the tampered answers their points."""
    root = tmp_path / "submitted"
    (root / "tamper" / "fixture").mkdir(parents=True)
    nbformat.write(students(release_dir)["tamper"][BASICS], root / "tamper" / "fixture" / f"{BASICS}.ipynb")
    run = grade(root, tmp_path / "out", timeout=5, source_root=FIXTURE, scan=False, progress=False)
    (outcome,) = [o for o in run.outcomes if o.submission.notebook == BASICS]
    scores = {t["grade_id"]: t["score"] for t in outcome.tests}
    # ex1: the visible test passes through the patched course.check; the probe of the hidden test,
    # judged outside the kernel, does not; ex2: builtins are restored before the test cell, so
    # sorted(words) == [...] fails as it should.
    assert scores == {"ex1-tests": 0, "ex2-tests": 0, "ex3-tests": 3}
    message = outcome.tests[0]["message"]
    assert message == "ProbeMismatch: [NOT YET] squares differs from the expected value: negative numbers too"
    assert not any(n in message for n in ("-4", "16", "144"))  # no hidden input, no expected value


def test_edited_and_deleted_test_cells_are_restored(graded):
    _, by_key, out = graded
    assert by_key[("edited", BASICS)].max_score == 6
    autograded = nbformat.read(
        out / "nbgrader" / "autograded" / "edited" / "fixture" / f"{BASICS}.ipynb", as_version=4
    )
    assert 'emit("squares", [square(n)' in cell(autograded, "ex1-tests").source
    assert "was missing from the submission" in cell(autograded, "ex2-tests").source


def test_forged_outputs_invalid_json_missing_and_huge_output(graded):
    _, by_key, out = graded
    assert by_key[("forged", BASICS)].score == 0
    assert "not valid JSON" in problems(by_key, "invalid")
    assert "missing" in problems(by_key, "missing")
    assert "huge output truncated" in problems(by_key, "huge")
    size = (out / "nbgrader" / "autograded" / "huge" / "fixture" / f"{BASICS}.ipynb").stat().st_size
    assert size < 3_000_000


def test_reports_feedback_and_class_report(graded):
    run, _, out = graded
    summary = (out / "summary.txt").read_text()
    assert "perfect" in summary and "problems:" in summary and "grading finished" in summary
    report = (out / "report.html").read_text()
    assert "data:image/png;base64," in report and "ex3-tests" in report
    assert "[NOT YET]" in report  # the most common failure messages are listed
    index = (out / "feedback" / "perfect" / "index.html").read_text()
    assert "7 / 7" in index and (out / "feedback" / "perfect" / "fixture" / f"{BASICS}.html").is_file()
    feedback = (out / "feedback" / "broken" / "fixture" / f"{BASICS}.html").read_text()
    assert "HIDDEN TESTS" not in feedback and "[square(n)" not in feedback


def test_cli_exit_codes(tmp_path):
    from course.cli import main

    assert main(["grade", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 1


def test_a_solution_that_fails_its_own_tests_grades_nothing_against_it(tmp_path):
    """No expected values, no verdict: that notebook is a grader error (exit status 1), never graded
    without its probes; the other notebooks are graded as usual."""
    import shutil

    source = tmp_path / "source"
    shutil.copytree(FIXTURE, source)
    broken = answer(solution_nb(BASICS), "ex1", "def square(x):\n    return x + x")
    nbformat.write(broken, source / "fixture" / f"{BASICS}.ipynb")
    root = tmp_path / "submitted"
    (root / "s" / "fixture").mkdir(parents=True)
    for name in (BASICS, WORDS):
        nbformat.write(solution_nb(name), root / "s" / "fixture" / f"{name}.ipynb")
    run = grade(root, tmp_path / "out", timeout=5, source_root=source, progress=False)
    by_notebook = {o.submission.notebook: o for o in run.outcomes}
    basics = by_notebook[BASICS]
    assert basics.status == "error" and basics.score == 0 and run.exit_code == 1
    assert "could not provide the expected values" in basics.problems[0] and "ex1-tests" in basics.problems[0]
    assert by_notebook[WORDS].score == 1 and by_notebook[WORDS].status == "graded"
    assert (tmp_path / "out" / "nbgrader" / "expected" / "fixture" / f"{WORDS}.json").is_file()
