"""The learner's view: the course notebooks opened and run in JupyterLab, in headless Chromium.

- Solution notebooks (solutions/): no cell shows an error, every self-check shows [PASSED], plots show
  as images, and widgets render and react to typing (the tokenizer explorer must). Notebooks with
  widgets are run live (Run > Run All Cells, in a fresh kernel); the others are opened with the outputs
  stored in them, which nbval (same `python -m pytest`) re-executes and compares: see README
  "Browser tests". COURSE_BROWSER_LIVE=all runs every one live (5-10 minutes on 2 cores).
- Student notebooks (notebooks/): the cells before the first exercise run cleanly, then the exercise
  cells one by one, and the first self-check shows its [NOT YET] message, not a traceback.
- The fixture notebooks (tests/fixtures/browser/) test the harness itself, including that it reports
  what is wrong.
"""

from __future__ import annotations

import json
import os
import re
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser_harness import (
    WIDGET_MIME,
    LabError,
    LabPage,
    first_exercise,
    read_notebook,
    solution_problems,
    source,
    stored_mimes,
    student_problems,
    without_outputs,
)

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]

RUN_TIMEOUT_S = float(os.environ.get("COURSE_BROWSER_TIMEOUT", "300"))  # one notebook's Run All
LIVE = os.environ.get("COURSE_BROWSER_LIVE", "auto").strip()  # auto | all | none | names (03_tokenizers,...)


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


def screenshot_path(artifacts: Path, relpath: str) -> Path:
    return artifacts / (relpath.replace("/", "__").removesuffix(".ipynb") + ".jpg")


@contextmanager
def visit(relpath: str, mode: str, lab_pages, lab_server, artifacts, record_time):
    """The shared page, timed; after an exception a screenshot, a fresh page next time; kernels stopped."""
    started = time.monotonic()
    times = {"open": 0.0, "run": 0.0}
    page = None
    try:
        page = lab_pages.get()
        yield page, times
        page.screenshot(screenshot_path(artifacts, relpath))
        page.close_notebook()
    except BaseException:
        if page is not None:
            page.try_screenshot(screenshot_path(artifacts, relpath))
        lab_pages.discard()
        raise
    finally:
        lab_server.shutdown_kernels()
        total = time.monotonic() - started
        print(f"\n{relpath}: {total:.1f} s ({mode}; open {times['open']:.1f} s, run {times['run']:.1f} s)")
        record_time({"notebook": relpath, "mode": mode, "total": total, **times})


def check_solution(
    path: Path, relpath: str, live: bool, lab_pages, lab_server, artifacts, record_time, lab_root
) -> list[str]:
    """Open a solution notebook (Run All when `live`); return the problems a learner would see."""
    stored = read_notebook(path)
    place(lab_root, relpath, without_outputs(stored) if live else stored)
    mode = "run all" if live else "stored outputs"
    with visit(relpath, mode, lab_pages, lab_server, artifacts, record_time) as (page, times):
        started = time.monotonic()
        page.open(relpath, len(stored["cells"]), wait_for_kernel=live)
        times["open"] = time.monotonic() - started
        if live:
            times["run"] = page.run_all(RUN_TIMEOUT_S)
        cells = page.cells()
        problems = solution_problems(stored, cells, live)
        if live:
            problems += widget_problems(page, cells, relpath)
    return problems


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


def check_student(
    path: Path, relpath: str, lab_pages, lab_server, artifacts, record_time, lab_root
) -> list[str]:
    """Run a student notebook from the top to its first self-check; return the problems."""
    stored = read_notebook(path)
    solution, check = first_exercise(stored)
    place(lab_root, relpath, without_outputs(stored))
    with visit(relpath, "to 1st check", lab_pages, lab_server, artifacts, record_time) as (page, times):
        started = time.monotonic()
        page.open(relpath, len(stored["cells"]))
        times["open"] = time.monotonic() - started
        times["run"] = page.run_above(solution, RUN_TIMEOUT_S)  # setup and everything before exercise 1
        for index in range(solution, check + 1):  # then the exercise's cells one by one, as a learner would
            times["run"] += page.run_cell(index, RUN_TIMEOUT_S)
        problems = student_problems(stored, page.cells(), solution, check)
    return problems


def report(relpath: str, problems: list[str]) -> None:
    if problems:
        pytest.fail(f"{relpath} in JupyterLab:\n  - " + "\n  - ".join(problems), pytrace=False)


# --------------------------------------------------------------------------- the harness on its fixtures


@pytest.fixture
def lab(lab_pages, lab_server, artifacts, record_time, lab_root):
    return {
        "lab_pages": lab_pages,
        "lab_server": lab_server,
        "artifacts": artifacts,
        "record_time": record_time,
        "lab_root": lab_root,
    }


FIXTURES = REPO / "tests" / "fixtures" / "browser"


# The harness must report what is wrong: always run.
def test_harness_reports_what_is_wrong(lab):
    problems = check_solution(FIXTURES / "broken.ipynb", "fixtures/broken.ipynb", True, **lab)
    expected = [
        "cell 3: the self-check does not show [PASSED]: [NOT YET] double(21) returned 22, expected 42",
        "cell 4: the plot is not shown as an image",
        "cell 5 shows an error: ZeroDivisionError: division by zero",
        "1 code cell(s) did not run, first: cell 6",
    ]
    assert sorted(problems) == sorted(expected), problems


# The other fixtures stand in for a kind of check no course notebook exercises yet (each takes a few seconds);
# COURSE_BROWSER_FIXTURES=1 runs them all anyway.
ALL_FIXTURES = os.environ.get("COURSE_BROWSER_FIXTURES") == "1"

if ALL_FIXTURES or not any(LIVE_SOLUTIONS.values()):

    def test_fixture_solution_run_all_passes(lab):
        report(
            "fixtures/solution.ipynb",
            check_solution(FIXTURES / "solution.ipynb", "fixtures/solution.ipynb", True, **lab),
        )


if ALL_FIXTURES or all(LIVE_SOLUTIONS.values()):

    def test_fixture_solution_stored_outputs_pass(lab):
        report(
            "fixtures/solution-stored.ipynb",
            check_solution(FIXTURES / "solution.ipynb", "fixtures/solution-stored.ipynb", False, **lab),
        )


if ALL_FIXTURES or not STUDENT:

    def test_fixture_student_shows_not_yet(lab):
        report(
            "fixtures/student.ipynb",
            check_student(FIXTURES / "student.ipynb", "fixtures/student.ipynb", **lab),
        )


# --------------------------------------------------------------------------- the course notebooks
# Tests for a set that does not exist yet (no notebooks/ before `course release`) are not generated.

if SOLUTIONS:

    @pytest.mark.parametrize("path", SOLUTIONS, ids=[f"{p.parent.name}/{p.stem}" for p in SOLUTIONS])
    def test_solution_notebook(path, lab):
        relpath = path.relative_to(REPO).as_posix()
        report(relpath, check_solution(path, relpath, LIVE_SOLUTIONS[path], **lab))


if STUDENT:

    @pytest.mark.parametrize("path", STUDENT, ids=[f"{p.parent.name}/{p.stem}" for p in STUDENT])
    def test_student_notebook(path, lab):
        relpath = path.relative_to(REPO).as_posix()
        report(relpath, check_student(path, relpath, **lab))
