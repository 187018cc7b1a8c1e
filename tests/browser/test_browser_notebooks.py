"""The learner's view: the course notebooks opened and run in JupyterLab, in headless Chromium.

- Solution notebooks (solutions/): each is run live (Run > Run All Cells, in a fresh kernel); no cell
  shows an error, every self-check shows [PASSED], plots show as images, and widgets render and react
  to typing (the tokenizer explorer must). COURSE_BROWSER_LIVE=auto runs only the notebooks with
  widgets live and checks the others as stored (nbval re-executes those); see README "Browser tests".
- Student notebooks (notebooks/): the cells before the first exercise run cleanly, then the exercise
  cells one by one, and the first self-check shows its [NOT YET] message, not a traceback.
- The notebooks run side by side in COURSE_BROWSER_PAGES pages (default 2: the kernels use one torch
  thread each), the longest first; each test reports its own notebook.
- The fixture notebooks (tests/fixtures/browser/) test the harness itself, including that it reports
  what is wrong.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from browser_harness import (
    WIDGET_MIME,
    Job,
    JobResult,
    LabError,
    LabPage,
    PagePool,
    first_exercise,
    read_notebook,
    screenshot_path,
    solution_problems,
    source,
    stored_mimes,
    student_problems,
    without_outputs,
)

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]

RUN_TIMEOUT_S = float(os.environ.get("COURSE_BROWSER_TIMEOUT", "300"))  # one notebook's Run All
LIVE = os.environ.get("COURSE_BROWSER_LIVE", "all").strip()  # all | auto | none | names (03_tokenizers,...)


def notebooks(folder: str) -> list[Path]:
    root = REPO / folder
    return sorted(p for p in root.glob("*/*.ipynb") if ".ipynb_checkpoints" not in p.parts)


SOLUTIONS = notebooks("solutions")
STUDENT = notebooks("notebooks")


INTERACTIVE_RE = re.compile(r"ipywidgets|\binteract(ive)?\(|explorer\(")


def has_widgets(notebook: dict) -> bool:
    """Widgets a learner plays with (tqdm's progress bars are widgets too, but only show progress)."""
    return any(
        INTERACTIVE_RE.search(source(cell))
        or (WIDGET_MIME in stored_mimes(cell) and "tqdm" not in source(cell))
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
    )


def run_live(path: Path, notebook: dict) -> bool:
    """Whether to Run All in the browser (else: check the stored outputs as drawn by JupyterLab)."""
    if LIVE == "all":
        return True
    if LIVE == "none":
        return False
    if LIVE == "auto":
        return has_widgets(notebook)
    return path.stem in {name.strip() for name in LIVE.split(",")}


def _live_or_not(path: Path) -> bool:
    try:
        return run_live(path, read_notebook(path))
    except (OSError, ValueError):  # unreadable: its test reports it
        return False


LIVE_SOLUTIONS = {path: _live_or_not(path) for path in SOLUTIONS}


def place(lab_root: Path, relpath: str, notebook: dict) -> None:
    """Write the notebook JupyterLab will open (in the served temporary copy, never in the repository)."""
    target = lab_root / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook, indent=1), encoding="utf-8")


# --------------------------------------------------------------------------- jobs (see PagePool)


def finish(page: LabPage, result: JobResult, screenshot: Path):
    """Screenshot the notebook for the artifacts, then close it and shut its kernel down (timed)."""
    started = time.monotonic()
    page.screenshot(screenshot)
    result.times["screenshot"] = time.monotonic() - started
    yield from page.steps_close_notebook()
    result.times["finish"] = time.monotonic() - started


def solution_job(path: Path, relpath: str, live: bool, lab_root: Path, artifacts: Path) -> Job:
    """Open a solution notebook (Run All when `live`) and list the problems a learner would see."""

    def job(page: LabPage, result: JobResult):
        stored = read_notebook(path)
        place(lab_root, relpath, without_outputs(stored) if live else stored)
        started = time.monotonic()
        yield from page.steps_open(relpath, len(stored["cells"]), wait_for_kernel=live)
        result.times["open"] = time.monotonic() - started
        if live:
            result.times["run"] = yield from page.steps_run_all(RUN_TIMEOUT_S)
        cells = page.cells()
        result.problems = solution_problems(stored, cells, live)
        if live:
            result.problems += widget_problems(page, cells, relpath)
        yield from finish(page, result, screenshot_path(artifacts, relpath))

    return job


def student_job(path: Path, relpath: str, lab_root: Path, artifacts: Path) -> Job:
    """Run a student notebook from the top to its first self-check and list the problems."""

    def job(page: LabPage, result: JobResult):
        stored = read_notebook(path)
        solution, check = first_exercise(stored)
        place(lab_root, relpath, without_outputs(stored))
        started = time.monotonic()
        yield from page.steps_open(relpath, len(stored["cells"]))
        result.times["open"] = time.monotonic() - started
        # setup and everything before exercise 1, then the exercise's cells one by one, as a learner would
        result.times["run"] = yield from page.steps_run_above(solution, RUN_TIMEOUT_S)
        for index in range(solution, check + 1):
            result.times["run"] += yield from page.steps_run_cell(index, RUN_TIMEOUT_S)
        result.problems = student_problems(stored, page.cells(), solution, check)
        yield from finish(page, result, screenshot_path(artifacts, relpath))

    return job


def widget_problems(page: LabPage, cells, relpath: str) -> list[str]:
    """Every widget with a text box must react to typing; the tokenizer notebook must have one."""
    problems, reacted = [], 0
    for cell in cells:
        if not cell.text_inputs:
            continue
        try:
            page.type_into_widget(cell.index)
        except LabError as error:
            problems.append(f"cell {cell.index}: the widget does not react to typed text ({error})")
            continue
        errors = page.cells()[cell.index].errors()
        if errors:
            problems.append(f"cell {cell.index}: typing into the widget shows an error: {errors[0]}")
        reacted += 1
    if "tokenizer" in Path(relpath).stem and not reacted:
        problems.append(
            "the tokenizer explorer (a text box whose output follows what is typed) was not found"
        )
    return problems


def report(result: JobResult) -> None:
    if result.error:
        pytest.fail(f"{result.name} in JupyterLab: {result.error}", pytrace=False)
    if result.problems:
        pytest.fail(f"{result.name} in JupyterLab:\n  - " + "\n  - ".join(result.problems), pytrace=False)


# --------------------------------------------------------------------------- the harness on its fixtures

FIXTURES = REPO / "tests" / "fixtures" / "browser"


def run_one(lab_pool: PagePool, name: str, mode: str, job: Job) -> JobResult:
    return lab_pool.run([(name, mode, job)])[name]


# The harness must report what is wrong: always run.
def test_harness_reports_what_is_wrong(lab_pool, lab_root, artifacts):
    name = "fixtures/broken.ipynb"
    result = run_one(
        lab_pool, name, "run all", solution_job(FIXTURES / "broken.ipynb", name, True, lab_root, artifacts)
    )
    expected = [
        "cell 3: the self-check does not show [PASSED]: [NOT YET] double(21) returned 22, expected 42",
        "cell 4: the plot is not shown as an image",
        "cell 5 shows an error: ZeroDivisionError: division by zero",
        "1 code cell(s) did not run, first: cell 6",
    ]
    assert result.error is None, result.error
    assert sorted(result.problems) == sorted(expected), result.problems


# The other fixtures stand in for a kind of check no course notebook exercises yet (each takes a few seconds);
# COURSE_BROWSER_FIXTURES=1 runs them all anyway.
ALL_FIXTURES = os.environ.get("COURSE_BROWSER_FIXTURES") == "1"

if ALL_FIXTURES or not any(LIVE_SOLUTIONS.values()):

    def test_fixture_solution_run_all_passes(lab_pool, lab_root, artifacts):
        name = "fixtures/solution.ipynb"
        report(
            run_one(
                lab_pool,
                name,
                "run all",
                solution_job(FIXTURES / "solution.ipynb", name, True, lab_root, artifacts),
            )
        )


if ALL_FIXTURES or all(LIVE_SOLUTIONS.values()):

    def test_fixture_solution_stored_outputs_pass(lab_pool, lab_root, artifacts):
        name = "fixtures/solution-stored.ipynb"
        job = solution_job(FIXTURES / "solution.ipynb", name, False, lab_root, artifacts)
        report(run_one(lab_pool, name, "stored outputs", job))


if ALL_FIXTURES or not STUDENT:

    def test_fixture_student_shows_not_yet(lab_pool, lab_root, artifacts):
        name = "fixtures/student.ipynb"
        report(
            run_one(
                lab_pool,
                name,
                "to 1st check",
                student_job(FIXTURES / "student.ipynb", name, lab_root, artifacts),
            )
        )


# --------------------------------------------------------------------------- the course notebooks
# All selected course notebooks run once, side by side in the pool's pages; each test reports its own.
# Tests for a set that does not exist yet (no notebooks/ before `course release`) are not generated.


def _selected(session: pytest.Session, test_name: str) -> list[Path]:
    return [
        item.callspec.params["path"]
        for item in session.items
        if getattr(item, "originalname", "") == test_name and hasattr(item, "callspec")
    ]


@pytest.fixture(scope="session")
def course_results(request, lab_pool, lab_root, artifacts) -> dict[str, JobResult]:
    jobs = []
    for path in _selected(request.session, "test_solution_notebook"):
        relpath, live = path.relative_to(REPO).as_posix(), LIVE_SOLUTIONS[path]
        mode = "run all" if live else "stored outputs"
        jobs.append((relpath, mode, solution_job(path, relpath, live, lab_root, artifacts)))
    for path in _selected(request.session, "test_student_notebook"):
        relpath = path.relative_to(REPO).as_posix()
        jobs.append((relpath, "to 1st check", student_job(path, relpath, lab_root, artifacts)))
    jobs.sort(key=lambda job: -EXPECTED_S.get(Path(job[0]).stem, 10) * (job[1] == "run all"))
    started = time.monotonic()
    results = lab_pool.run(jobs)
    seconds = time.monotonic() - started
    print(f"\n{len(jobs)} notebooks in JupyterLab in {seconds:.1f} s on {lab_pool.size} pages")
    return results


# The longest live runs start first, so that the pages finish together (seconds, measured live).
EXPECTED_S = {"07_trainer_api": 50, "08_full_training_loop": 45}


if SOLUTIONS:

    @pytest.mark.parametrize("path", SOLUTIONS, ids=[f"{p.parent.name}/{p.stem}" for p in SOLUTIONS])
    def test_solution_notebook(path, course_results):
        report(course_results[path.relative_to(REPO).as_posix()])


if STUDENT:

    @pytest.mark.parametrize("path", STUDENT, ids=[f"{p.parent.name}/{p.stem}" for p in STUDENT])
    def test_student_notebook(path, course_results):
        report(course_results[path.relative_to(REPO).as_posix()])
