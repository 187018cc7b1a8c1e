"""Step 4 of `course grade`: one private nbgrader course directory per (student, notebook).

`prepare_tasks` discovers the submissions, gives each an Outcome, and prepares a task folder for each
gradable one (course.grading.worker runs it); a submission that cannot be prepared scores 0 now.
The Job it returns (course.grading.job) is the state the later steps share.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from course.grading import gradebook
from course.grading.collect import Outcome
from course.grading.config import RELEASE, SOURCE
from course.grading.expected import expected_path, probed
from course.grading.job import Job
from course.grading.sandbox_run import SandboxRun
from course.grading.settings import Settings
from course.grading.submissions import Submission, discover, prescreen


def task_dir(out: Path, sub: Submission) -> Path:
    return out / "work" / sub.student / sub.assignment / sub.notebook


def prepare_task(
    out: Path,
    course: Path,
    sub: Submission,
    template_db: Path,
    timeout: int,
    scan: bool,
    sandbox: dict | None = None,
    expected: Path | None = None,
) -> Path | None:
    """A private nbgrader course directory for one (student, notebook); None if not gradable."""
    task = task_dir(out, sub)
    submitted = task / "submitted" / sub.student / sub.assignment / f"{sub.notebook}.ipynb"
    if not prescreen(sub, submitted, course / RELEASE / sub.assignment / f"{sub.notebook}.ipynb"):
        return None
    if sub.timestamp is not None:
        shutil.copy(sub.timestamp, submitted.parent / "timestamp.txt")
    shutil.copy(template_db, task / "gradebook.db")
    (task / SOURCE).mkdir(parents=True, exist_ok=True)
    os.symlink((course / SOURCE / sub.assignment).resolve(), task / SOURCE / sub.assignment)
    spec = {
        "course_dir": str(task.resolve()),
        "assignment": sub.assignment,
        "student": sub.student,
        "notebook": sub.notebook,
        "timeout": timeout,
        "scan": scan,
        "sandbox": sandbox,
        "expected": str(expected) if expected else None,
    }
    (task / "task.json").write_text(json.dumps(spec))
    os.chmod(task, 0o700)  # the task's files (its gradebook, the connection files) are the grader's alone
    return task


def start_job(settings: Settings, course: Path, notebooks_of: dict, box: SandboxRun | None) -> Job:
    """The submissions found (intake copies, never links), the gradebook's template and students."""
    out = settings.out
    batch = discover(settings.submissions_dir, notebooks_of, out / "work" / "intake")
    master = course / "gradebook.db"
    template = out / "work" / "template.db"
    template.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(master, template)
    gradebook.ensure_students(master, batch.students)
    (out / "logs").mkdir(exist_ok=True)
    outcomes = {s.key: Outcome(s, problems=list(s.intake)) for s in batch.submissions}
    probed_notebooks = {
        (a, n)
        for a, names in notebooks_of.items()
        for n in names
        if probed(settings.source_root / a / f"{n}.ipynb")
    }
    return Job(settings, course, batch, box, outcomes, probed_notebooks)


def prepare_tasks(job: Job) -> None:
    """A task folder for each gradable submission (job.tasks); 0 points now for the others."""
    settings, template = job.settings, job.out / "work" / "template.db"
    for index, sub in enumerate(job.batch.submissions):
        key = (sub.assignment, sub.notebook)
        wanted = expected_path(job.course, *key) if key in job.probed else None
        try:  # whatever one submission does to its preparation is that submission's problem
            task = prepare_task(
                job.out,
                job.course,
                sub,
                template,
                settings.timeout,
                settings.scan,
                job.sandbox_spec(index),
                wanted,
            )
        except Exception as error:  # noqa: BLE001
            task, sub.problem = None, f"could not be prepared for grading ({type(error).__name__})"
        if task is None:
            outcome = job.outcomes[sub.key]
            outcome.status = "missing" if sub.problem.startswith("missing") else "invalid"
            outcome.problems.append(f"{sub.problem} -> 0 points")
            gradebook.record_zero(job.master, sub.assignment, sub.student, sub.notebook, sub.problem)
        else:
            job.tasks.append((sub, task))
