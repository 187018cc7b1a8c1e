"""The real chapter notebooks through the grader, and notebooks/ in sync with solutions/.

Runs on whatever notebooks exist in solutions/. Budget (2 cores): one grading batch (--jobs 2) holds
every solution notebook once plus the zero-score and one-wrong submissions of the cheapest notebook
(by its stored run time); the baseline for the grading/run time ratio is that notebook run once more.
"""

from __future__ import annotations

import shutil
import time
from datetime import datetime
from pathlib import Path

import nbformat
import pytest

from course.grading.grade import grade
from course.grading.release import build_release, release
from course.grading.report import summary_lines
from course.notebooks import REPO, SOLUTIONS, execute, notebook_paths

pytestmark = pytest.mark.grading
JOBS = 2


def test_notebooks_are_in_sync_with_solutions():
    report = release(check=True)
    assert report.in_sync, "notebooks/ is out of sync with solutions/; run `course release`:\n" + "\n".join(
        report.lines()
    )


def _submit(root: Path, student: str, assignment: str, name: str, notebook) -> None:
    folder = root / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(notebook, Path):
        shutil.copy(notebook, folder / f"{name}.ipynb")
    else:
        nbformat.write(notebook, folder / f"{name}.ipynb")


def _stored_seconds(path: Path) -> float:
    """How long the notebook's stored run took (nbclient's per-cell timing metadata); inf if unknown."""
    notebook = nbformat.read(path, as_version=4)
    total = 0.0
    for cell in notebook.cells:
        timing = cell.get("metadata", {}).get("execution", {})
        try:
            start = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
        except (KeyError, ValueError):
            continue
        total += (end - start).total_seconds()
    return total or float("inf")


def _one_wrong(solution, student_version) -> tuple[object, str, float]:
    """The solution with its last exercise put back to the student stub; that exercise's id and points.

    The points lost are those of the test cells after the last solution cell: the last exercise is
    the only one whose failure cannot spill into other exercises' tests.
    """
    cells = solution.cells
    last = max(i for i, c in enumerate(cells) if c.metadata.get("nbgrader", {}).get("solution"))
    grade_id = cells[last].metadata["nbgrader"]["grade_id"]
    points = sum(
        float(c.metadata["nbgrader"].get("points", 0))
        for c in cells[last + 1 :]
        if c.metadata.get("nbgrader", {}).get("grade")
    )
    stub = next(
        c for c in student_version.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )
    cells[last].source = stub.source
    return solution, grade_id, points


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    """One batch: every solution notebook as student "solution"; the cheapest notebook also untouched
    (its student version) and with one exercise wrong."""
    paths = notebook_paths()
    if not paths:
        pytest.skip("no solution notebooks yet")
    cheapest = min(paths, key=_stored_seconds)
    assignment, name = cheapest.parent.name, cheapest.stem
    released = build_release(SOLUTIONS, tmp_path_factory.mktemp("release"), only=[assignment])
    student_path = released / assignment / f"{name}.ipynb"
    wrong, grade_id, lost = _one_wrong(
        nbformat.read(cheapest, as_version=4), nbformat.read(student_path, as_version=4)
    )
    assert lost > 0, f"{name}: no test cell after the last exercise {grade_id}"

    root = tmp_path_factory.mktemp("submitted")
    for path in paths:
        _submit(root, "solution", path.parent.name, path.stem, path)
    _submit(root, "untouched", assignment, name, student_path)
    _submit(root, "one_wrong", assignment, name, wrong)
    run = grade(root, tmp_path_factory.mktemp("graded"), jobs=JOBS, progress=False)
    print("\n" + "\n".join(summary_lines(run)))
    by_key = {(o.submission.student, o.submission.assignment, o.submission.notebook): o for o in run.outcomes}
    return run, by_key, cheapest, grade_id, lost


def test_solutions_score_full_marks(round_trip):
    run, by_key, *_ = round_trip
    solution = [o for o in run.outcomes if o.submission.student == "solution"]
    print("\nnotebook                                   grading   executing  ratio")
    for o in solution:
        ratio = o.seconds / o.execute_s if o.execute_s else float("nan")
        label = f"{o.submission.assignment}/{o.submission.notebook}"
        print(f"{label:42s} {o.seconds:7.1f} s {o.execute_s:7.1f} s {ratio:5.2f}x")
    wrong = {
        o.submission.key: (o.score, o.max_score, o.problems)
        for o in solution
        if o.score != o.max_score or o.max_score == 0 or o.status != "graded"
    }
    assert not wrong, f"solution notebooks that do not score full marks: {wrong}"
    assert run.exit_code == 0


def test_untouched_scores_zero_and_one_wrong_loses_exactly_its_points(round_trip):
    _, by_key, cheapest, grade_id, lost = round_trip
    key = (cheapest.parent.name, cheapest.stem)
    untouched, one_wrong = by_key[("untouched", *key)], by_key[("one_wrong", *key)]
    assert untouched.status == "graded" and untouched.score == 0 and untouched.max_score > 0
    assert one_wrong.score == one_wrong.max_score - lost, (
        f"{cheapest.stem}: the stub in {grade_id} should cost exactly {lost} points: {one_wrong.tests}"
    )


def test_grading_costs_little_more_than_running_the_notebook(round_trip):
    _, by_key, cheapest, *_ = round_trip
    graded = by_key[("solution", cheapest.parent.name, cheapest.stem)]
    started = time.perf_counter()
    execute(cheapest)
    baseline = time.perf_counter() - started
    ratio = graded.seconds / baseline
    print(
        f"\n{cheapest.parent.name}/{cheapest.stem}: grading one submission {graded.seconds:.1f} s vs "
        f"running the solution notebook {baseline:.1f} s ({ratio:.2f}x; target <= 1.3x)"
    )
    assert graded.seconds <= 3 * baseline + 10  # loose: the CI machine is shared; the print is the measure


def test_released_notebooks_hold_no_hidden_tests_or_solutions():
    for path in sorted((REPO / "notebooks").glob("*/*.ipynb")):
        text = path.read_text()
        assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text, path
