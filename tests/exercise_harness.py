"""The shared plumbing of tests/test_exercises_NN.py: feed answers to a notebook's exercises and see what the
self-check and the graded test cells say; run the untouched student notebook.

A test file holds only its ANSWERS (answer cells made with `define` and `unanswered`) and its own assertions;
`exercise_tests(NAME, ANSWERS)` gives it the module fixture `exercises` and the two tests every file has (see
tests/test_exercises_01.py).

`run_exercises(notebook, answers)` runs the solution notebook top to bottom in one kernel (fast mode,
offline, probes on). At each exercise named in `answers` it first runs every given answer in place of
the solution cell, each followed by the exercise's self-check and graded test cells, then the solution
itself (which restores the state the rest of the notebook needs). A graded test cell fails as it would
in `course grade`: an error or stderr output in the cell, or a probe that is missing, repeated or
different from the solution's emission (course.grading.verdict.problems_of, the grader's own code).

An exercise is the nbgrader solution cell (its grade_id, e.g. "ex1_batch_solution") and the code cells
right after it that are self-checks (`course.check(`) or graded test cells, in the order of CONTRIBUTING.md.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from course.grading.verdict import emissions, problems_of

CHECK_CALL = "course.check("
REPO = Path(__file__).resolve().parent.parent


@dataclass
class Attempt:
    """What one answer to one exercise got."""

    label: str
    source: str
    self_check: str = ""  # the self-check cells' printed text
    self_check_errors: list[str] = field(default_factory=list)  # a self-check must never raise
    test_failures: list[str] = field(default_factory=list)  # errors, stderr and probe problems

    @property
    def self_check_passed(self) -> bool:
        return "[PASSED]" in self.self_check and "[NOT YET]" not in self.self_check

    @property
    def test_passed(self) -> bool:
        return not self.test_failures

    def __str__(self) -> str:
        return (
            f"{self.label}: self-check {'PASSED' if self.self_check_passed else 'NOT YET'} "
            f"({self.self_check.strip()[:300]!r}); tests {'pass' if self.test_passed else 'fail'} "
            f"{self.test_failures[:3]}"
        )


@dataclass
class Exercise:
    """An exercise's solution attempt and the answers fed to it."""

    grade_id: str
    solution: Attempt
    answers: list[Attempt]
    self_check_cells: int
    test_cells: int

    def answer(self, label: str) -> Attempt:
        """The first answer fed whose label contains `label`."""
        return next(a for a in self.answers if label in a.label)


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _is_test(cell) -> bool:
    meta = _nbgrader(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _is_self_check(cell) -> bool:
    return cell.cell_type == "code" and not _nbgrader(cell) and CHECK_CALL in cell.source


def _segment(cells, start: int) -> list[int]:
    """Indices of the self-check and test cells that follow the solution cell at `start`."""
    found = []
    for index in range(start + 1, len(cells)):
        if _is_self_check(cells[index]) or _is_test(cells[index]):
            found.append(index)
        else:
            break
    return found


def _text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append("".join(output.get("text", "")))
        elif output.get("output_type") in ("display_data", "execute_result"):
            parts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "".join(parts)


def _errors(cell, stderr: bool) -> list[str]:
    found = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            found.append(f"{output.get('ename')}: {output.get('evalue')}")
        elif stderr and output.get("output_type") == "stream" and output.get("name") == "stderr":
            found.append("stderr: " + "".join(output.get("text", "")).strip()[:300])
    return found


class _Runner:
    def __init__(self, client, cells):
        self.client = client
        self.cells = cells

    def run(self, index: int, source: str | None = None):
        cell = copy.deepcopy(self.cells[index])
        if source is not None:
            cell.source = source
        cell.outputs = []
        self.client.execute_cell(cell, index)
        return cell

    def attempt(self, label: str, start: int, source: str, segment: list[int], want: dict) -> Attempt:
        result = Attempt(label, source)
        answer = self.run(start, source)
        result.test_failures += [f"answer cell: {e}" for e in _errors(answer, stderr=False)]
        for index in segment:
            cell = self.run(index)
            if _is_self_check(self.cells[index]):
                result.self_check += _text(cell)
                result.self_check_errors += _errors(cell, stderr=False)
            else:
                result.test_failures += _errors(cell, stderr=True)
                grade_id = _nbgrader(self.cells[index]).get("grade_id")
                if want.get(grade_id):
                    result.test_failures += problems_of(cell, want[grade_id])
                want.setdefault(grade_id, self._expected(cell))
        return result

    @staticmethod
    def _expected(cell) -> dict:
        probes = {}
        for key, found in emissions(cell).items():
            if len(found) == 1 and "value" in found[0]:
                probes[key] = {"value": found[0]["value"], "tol": float(found[0].get("tol") or 0.0)}
        return probes


def run_exercises(
    notebook: str | Path, answers: dict[str, list[tuple[str, str]]], timeout: int = 600
) -> dict[str, Exercise]:
    """Run `notebook`, feeding each exercise its `answers` ({solution grade_id: [(label, cell source)]}).

    At an exercise the solution runs first (its emissions are the expected probe values), then each
    answer, then the solution again, which leaves the kernel as the rest of the notebook expects.
    Solution cells may run twice: they assign names, they must not mutate shared state.
    """
    path = Path(notebook).resolve()
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    ids = {_nbgrader(c).get("grade_id"): i for i, c in enumerate(cells) if _nbgrader(c).get("solution")}
    unknown = sorted(set(answers) - set(ids))
    if unknown:
        raise KeyError(f"{path.name} has no solution cell {unknown}; it has {sorted(ids)}")
    client = _client(nb, path, timeout)
    results: dict[str, Exercise] = {}
    done: set[int] = set()
    # the grader's own environment (course.grading.worker): demonstration cells at their grading size
    with _environment(COURSE_FAST="1", COURSE_PROBES="1", COURSE_GRADING="1", OMP_NUM_THREADS="1"):
        with client.setup_kernel():
            runner = _Runner(client, cells)
            for index, cell in enumerate(cells):
                if cell.cell_type != "code" or index in done:
                    continue
                grade_id = _nbgrader(cell).get("grade_id")
                if grade_id not in answers:
                    problems = _errors(runner.run(index), stderr=False)
                    if problems:
                        raise RuntimeError(f"{path.name} cell {index} failed in the harness: {problems}")
                    continue
                segment = _segment(cells, index)
                want: dict = {}
                solution = runner.attempt("solution", index, cell.source, segment, want)
                fed = [
                    runner.attempt(label, index, source, segment, want) for label, source in answers[grade_id]
                ]
                runner.attempt("solution again", index, cell.source, segment, want)
                results[grade_id] = Exercise(
                    grade_id,
                    solution,
                    fed,
                    sum(_is_self_check(cells[i]) for i in segment),
                    sum(_is_test(cells[i]) for i in segment),
                )
                done.update(segment)
    return results


def assert_all_caught(exercise: Exercise, minimum: int = 3) -> None:
    """The solution passes both the self-check and the tests; every fed answer fails both."""
    assert exercise.self_check_cells and exercise.test_cells, f"{exercise.grade_id}: no self-check or tests"
    assert exercise.solution.self_check_passed and exercise.solution.test_passed, str(exercise.solution)
    assert len(exercise.answers) >= minimum, f"{exercise.grade_id}: fewer than {minimum} wrong answers"
    for attempt in exercise.answers + [exercise.solution]:
        assert not attempt.self_check_errors, f"a self-check raised: {attempt}"
    escaped = [str(a) for a in exercise.answers if a.self_check_passed or a.test_passed]
    assert not escaped, f"{exercise.grade_id}: wrong answers not caught by both:\n" + "\n".join(escaped)


def _client(nb, path: Path, timeout: int):
    """A notebook client that runs `nb` in its folder and records errors as outputs (as nbgrader does)."""
    from nbclient import NotebookClient

    return NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """os.environ with `values` set while inside (kernels started meanwhile inherit them), restored after."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# --- the untouched student notebook ----------------------------------------------------------------------


@dataclass
class StudentRun:
    """The cells of a student notebook run top to bottom, untouched (every exercise still a stub)."""

    graded: set[int]  # the graded test cells
    answers: set[int]  # the learner's answer cells (nbgrader solution cells)
    failed: dict[int, str]  # cell -> the error it raised ("Name: value")
    # what the self-checks of the exercises printed (not the checks of the notebook's own code, which pass)
    self_checks: list[str]


def run_student_notebook(notebook: str | Path, timeout: int = 600) -> StudentRun:
    """Run `notebook` (a released student notebook) as a learner would, without answering anything."""
    path = Path(notebook).resolve()
    nb = nbformat.read(path, as_version=4)
    with _environment(COURSE_FAST="1", COURSE_GRADING="1", OMP_NUM_THREADS="1"):
        _client(nb, path, timeout).execute()
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    answers = {i for i, c in code if _nbgrader(c).get("solution")}
    exercise_cells = {j for i in answers for j in _segment(nb.cells, i)}
    return StudentRun(
        graded={i for i, c in code if _is_test(c)},
        answers=answers,
        failed={i: errors[0] for i, c in code if (errors := _errors(c, stderr=False))},
        self_checks=[_text(c) for i, c in code if i in exercise_cells and _is_self_check(c)],
    )


def assert_fails_only_its_exercises(run: StudentRun) -> None:
    """Every graded test cell fails, every exercise's self-check says [NOT YET] (and never raises), an answer
    cell fails only with the stub's NotImplementedError (when it calls the function it defines), no other cell
    fails: the cells after an exercise run on the course's own version (use_if_passing)."""
    failed = set(run.failed)
    assert run.graded and run.graded <= failed, (
        f"graded cells {sorted(run.graded)}, cells that raised {sorted(failed)}"
    )
    others = {i: e for i, e in run.failed.items() if i not in run.graded | run.answers}
    assert not others, f"cells that are not exercises raised: {others}"
    stubs = {
        i: e for i, e in run.failed.items() if i in run.answers and not e.startswith("NotImplementedError")
    }
    assert not stubs, f"answer cells raised something else than the stub's NotImplementedError: {stubs}"
    assert run.self_checks and all("[NOT YET]" in text for text in run.self_checks), run.self_checks


# --- the parts every tests/test_exercises_NN.py shares ---------------------------------------------------


def define(name: str, params: str, head: str = "") -> Callable[..., str]:
    """A maker of answer cells: `head`, then `def name(params):` around a body (params changeable per answer).

    The body is one statement, indented here (more lines may follow it, indented already), or lines that are
    all indented by four spaces already.
    """

    def source(body: str, params: str = params) -> str:
        block = body if body.startswith("    ") else f"    {body}\n"
        return f"{head}def {name}({params}):\n{block}"

    return source


def variants(template: str, **holes: str) -> Callable[..., str]:
    """A maker of answer cells from the right answer with named holes: `template.format(**holes)` is the right
    answer, and each wrong one fills a few holes otherwise, e.g. `classify(probabilities="logits")`."""

    def source(**changes: str) -> str:
        unknown = sorted(set(changes) - set(holes))
        if unknown:
            raise TypeError(f"no hole {unknown} in the template; its holes: {sorted(holes)}")
        return template.format(**{**holes, **changes})

    return source


def unanswered(signature: str) -> tuple[str, str]:
    """The student notebook's stub of the function `signature`, as an answer (it must fail like any other)."""
    return ("unanswered (the student stub)", f"def {signature}:\n    raise NotImplementedError()\n")


# The untouched runs of 07 and 08 train a model on the course's fallbacks: 50 s and 44 s on 2 cores, against
# 5-8 s for each other notebook; with them the check and exercise tests take 178 s instead of 125 s (-n 2).
# They run when this variable is set (e.g. before a release).
def exercise_tests(name: str, answers: dict[str, list[tuple[str, str]]]) -> tuple[Callable, ...]:
    """The fixture and the two tests of every exercise test file, for the notebook `name`.

    - the module fixture `exercises`: `run_exercises` of the solution notebook with `answers` (run once);
    - each exercise's wrong answers fail both its self-check and its graded tests (one test per exercise);
    - the untouched student notebook (notebooks/) runs to the end and fails only its exercises.
    Assign them to module names that start with `test_` (and `exercises`) so that pytest collects them.
    """

    @pytest.fixture(scope="module", name="exercises")
    def exercises() -> dict[str, Exercise]:
        return run_exercises(REPO / "solutions" / name, answers)

    @pytest.mark.parametrize("grade_id", sorted(answers))
    def test_wrong_answers_fail_both_the_self_check_and_the_tests(exercises, grade_id):
        assert_all_caught(exercises[grade_id])

    def test_the_untouched_student_notebook_runs_to_the_end_and_fails_only_its_exercises():
        assert_fails_only_its_exercises(run_student_notebook(REPO / "notebooks" / name))

    return (
        exercises,
        test_wrong_answers_fail_both_the_self_check_and_the_tests,
        test_the_untouched_student_notebook_runs_to_the_end_and_fails_only_its_exercises,
    )
