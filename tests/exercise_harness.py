"""Feed answers to a notebook's exercises and see what the self-check and the graded test cells say.

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
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.grading.verdict import emissions, problems_of

CHECK_CALL = "course.check("


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
    from nbclient import NotebookClient

    path = Path(notebook).resolve()
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    ids = {_nbgrader(c).get("grade_id"): i for i, c in enumerate(cells) if _nbgrader(c).get("solution")}
    unknown = sorted(set(answers) - set(ids))
    if unknown:
        raise KeyError(f"{path.name} has no solution cell {unknown}; it has {sorted(ids)}")
    saved = {k: os.environ.get(k) for k in ("COURSE_FAST", "COURSE_PROBES", "OMP_NUM_THREADS")}
    os.environ.update(COURSE_FAST="1", COURSE_PROBES="1", OMP_NUM_THREADS="1")
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    results: dict[str, Exercise] = {}
    done: set[int] = set()
    try:
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
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
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
