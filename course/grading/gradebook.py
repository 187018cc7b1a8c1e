"""The class gradebook: one writer (the parent process) merges what each worker graded.

Workers autograde in private copies of the gradebook, so no two processes ever write the same
SQLite file; the parent copies each graded notebook's scores and comments into the class gradebook,
one at a time.
"""

from __future__ import annotations

import warnings
from functools import wraps
from pathlib import Path


def _quiet(function):
    """nbgrader's gradebook triggers harmless SQLAlchemy autoflush warnings (see stack-notes)."""

    @wraps(function)
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*not in session.*")
            return function(*args, **kwargs)

    return wrapper


def _url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


@_quiet
def ensure_students(db: Path, students: list[str]) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(_url(db)) as gb:
        for student in students:
            gb.update_or_create_student(student)


@_quiet
def merge(
    master_db: Path, worker_db: Path, assignment: str, student: str, notebook: str, flag: bool = False
) -> None:
    """Copy one submitted notebook's grades and comments from a worker's gradebook into the class one."""
    from nbgrader.api import Gradebook

    with Gradebook(_url(worker_db)) as src, Gradebook(_url(master_db)) as dst:
        graded = src.find_submission_notebook(notebook, assignment, student)
        timestamp = graded.assignment.timestamp
        extra = {"timestamp": timestamp} if timestamp else {}
        dst.update_or_create_submission(assignment, student, **extra)
        target = dst.find_submission_notebook(notebook, assignment, student)
        for grade in graded.grades:
            into = dst.find_grade(grade.name, notebook, assignment, student)
            into.auto_score = grade.auto_score
            into.manual_score = grade.manual_score
            into.extra_credit = grade.extra_credit
            into.needs_manual_grade = True if flag else grade.needs_manual_grade
        for comment in graded.comments:
            into = dst.find_comment(comment.name, notebook, assignment, student)
            into.auto_comment = comment.auto_comment
            into.manual_comment = comment.manual_comment
        target.flagged = bool(flag or graded.flagged)
        target.late_submission_penalty = graded.late_submission_penalty
        dst.db.commit()


@_quiet
def record_zero(master_db: Path, assignment: str, student: str, notebook: str, reason: str) -> None:
    """A notebook that could not be graded (missing, invalid JSON, ...): zero on every test."""
    from nbgrader.api import Gradebook

    with Gradebook(_url(master_db)) as gb:
        gb.update_or_create_submission(assignment, student)
        submitted = gb.find_submission_notebook(notebook, assignment, student)
        for grade in submitted.grades:
            grade.auto_score = 0
            grade.needs_manual_grade = False
        for comment in submitted.comments:
            comment.auto_comment = reason
        gb.db.commit()


@_quiet
def scores(master_db: Path) -> dict[tuple[str, str, str], tuple[float, float]]:
    """(student, assignment, notebook) -> (score, max score), from the class gradebook."""
    from nbgrader.api import Gradebook

    table = {}
    with Gradebook(_url(master_db)) as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    table[(submission.student.id, assignment.name, notebook.name)] = (
                        float(notebook.score),
                        float(notebook.max_score),
                    )
    return table


@_quiet
def max_scores(master_db: Path) -> dict[tuple[str, str], float]:
    """(assignment, notebook) -> max score."""
    from nbgrader.api import Gradebook

    with Gradebook(_url(master_db)) as gb:
        return {(a.name, n.name): float(n.max_score) for a in gb.assignments for n in a.notebooks}
