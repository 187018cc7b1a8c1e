"""Step 3 of `course grade`: the expected values, from one run of each graded notebook's solution.

A notebook whose hidden tests emit probes (course.grading.probe) is graded against the values its
solution emits; those are kept in OUT/nbgrader/expected (no kernel can read them). `plan_references`
takes them from OUT/cache when the solution is unchanged, and otherwise prepares a reference task (the
solution run like a submission) that the dispatch step runs before that notebook's students.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from course.grading.config import SOURCE
from course.grading.worker import EXPECTED

if TYPE_CHECKING:
    from course.grading.cache import Cache
    from course.grading.job import Job


def expected_path(course: Path, assignment: str, notebook: str) -> Path:
    """Where a notebook's expected probe values are kept (in the output folder: no sandbox sees it)."""
    return course / "expected" / assignment / f"{notebook}.json"


def probed(source: Path) -> bool:
    """True when a test cell of the instructor's notebook emits probes (so it needs a reference run)."""
    import nbformat

    from course.grading.verdict import PROBE_CALL, _grade_id

    notebook = nbformat.read(source, as_version=4)
    return any(_grade_id(c) and PROBE_CALL in c.source for c in notebook.cells)


def prepare_reference(
    out: Path, course: Path, assignment: str, notebook: str, timeout: int, sandbox: dict | None
) -> Path:
    """A task folder in which the worker runs the solution notebook for its expected probe values."""
    task = out / "work" / "_reference" / assignment / notebook
    task.mkdir(parents=True)
    spec = {
        "mode": "reference",
        "course_dir": str(task.resolve()),
        "assignment": assignment,
        "notebook": notebook,
        "source": str((course / SOURCE / assignment / f"{notebook}.ipynb").resolve()),
        "timeout": timeout,
        "sandbox": sandbox,
    }
    (task / "task.json").write_text(json.dumps(spec))
    os.chmod(task, 0o700)
    return task


@dataclass
class References:
    """The solution runs a grading run needs: prepared (to run) or restored from the cache."""

    tasks: dict[tuple[str, str], Path] = field(default_factory=dict)  # to run, by (assignment, notebook)
    keys: dict[tuple[str, str], str] = field(default_factory=dict)  # their cache keys
    cached: int = 0  # expected values restored from OUT/cache


def restore(course: Path, key: tuple[str, str], data: bytes) -> None:
    """Write a notebook's expected values where its students' tasks look for them."""
    target = expected_path(course, *key)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def plan_references(job: Job, cache: Cache, todo: list) -> References:
    """One reference run per probed notebook that someone submitted and that is not cached (nor are
    all of its students); its students wait for it (course.grading.dispatch)."""
    plan = References()
    settings = job.settings
    for key in sorted({(s.assignment, s.notebook) for s, _ in job.tasks} & job.probed):
        plan.keys[key] = cache.reference_key(*key, job.source_of(*key))
        entry = None if settings.force else cache.load("references", plan.keys[key])
        if entry is not None and EXPECTED in entry["files"]:
            restore(job.course, key, entry["files"][EXPECTED])
            plan.cached += 1
        elif any((s.assignment, s.notebook) == key for s, _ in todo):
            index = len(job.batch.submissions) + len(plan.tasks)
            plan.tasks[key] = prepare_reference(
                job.out, job.course, *key, settings.timeout, job.sandbox_spec(index)
            )
    return plan
