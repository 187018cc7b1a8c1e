"""A folder of submissions, in nbgrader's `submitted/` layout, found and pre-screened.

    SUBMISSIONS_DIR/<student>/<assignment>/<notebook>.ipynb
    e.g. submitted/alice/chapter2/01_pipeline.ipynb

SUBMITTED is hostile input (course.grading.intake): `discover` follows no link and opens nothing but
folders and regular files, refuses other names than safe ids, and copies the accepted bytes to the
grader's own intake folder. Pre-screening happens in the grader, before any kernel starts: a notebook
that is not valid JSON (or not a notebook), one larger than MAX_BYTES, nested too deep or with too many
values, cells or outputs, or one that is missing is recorded with its reason and scores zero; every
other notebook is copied with its outputs cleared (stored outputs are never trusted: the grader runs
the notebook itself).
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 100 * 1024 * 1024  # a submitted notebook, stored outputs included
MAX_CLEAN_BYTES = 16 * 1024 * 1024  # ... once its outputs are cleared (sources, metadata, attachments)


@dataclass
class Submission:
    """One expected notebook of one student: its file, or why it cannot be graded."""

    student: str
    assignment: str
    notebook: str
    path: Path | None = None
    problem: str = ""
    timestamp: Path | None = None
    notes: list[str] = field(default_factory=list)
    intake: list[str] = field(default_factory=list)  # what was refused but did not stop grading

    @property
    def key(self) -> str:
        return f"{self.student}/{self.assignment}/{self.notebook}"


@dataclass
class Batch:
    submissions: list[Submission] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def students(self) -> list[str]:
        return sorted({s.student for s in self.submissions})


def discover(root: Path, expected: dict[str, list[str]], intake: Path | None = None) -> Batch:
    """Every (student, assignment, notebook) to grade; `expected` maps assignment -> notebook ids.

    SUBMITTED is hostile input (course.grading.intake): nothing under it is followed or opened unless it
    is a folder or a regular file; the accepted bytes are copied to `intake` (default: a new temporary
    folder), and each Submission's `path` and `timestamp` name those copies.
    """
    import tempfile

    from course.grading import intake as safe

    batch = Batch()
    intake = Path(intake) if intake is not None else Path(tempfile.mkdtemp(prefix="course-intake-"))
    root_fd = os.open(Path(root), os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)  # the instructor's path
    try:
        for name, mode in sorted(safe.entries(root_fd).items()):
            problem = safe.name_problem(name)
            if problem:
                batch.notes.append(f"{name!r}: {problem}; skipped (nothing graded, no row)")
                continue
            if stat.S_ISREG(mode):
                batch.notes.append(f"{name}: a file, not a student folder; ignored")
                continue
            try:
                fd = safe.open_folder(name, root_fd)
            except safe.Refused as refused:
                _refuse_all(batch, name, expected, f"the student folder is {refused}")
                continue
            try:
                _student(batch, name, fd, expected, intake / name)
            except OSError as error:  # an unreadable folder is this student's problem, not the run's
                batch.submissions = [s for s in batch.submissions if s.student != name]
                _refuse_all(batch, name, expected, f"the student folder cannot be read ({error.strerror})")
            finally:
                os.close(fd)
            if not any(s.student == name for s in batch.submissions):
                batch.notes.append(f"{name}: no assignment folder to grade")
    finally:
        os.close(root_fd)
    return batch


def _refuse_all(batch: Batch, student: str, expected: dict[str, list[str]], why: str) -> None:
    for assignment, notebooks in sorted(expected.items()):
        for notebook in notebooks:
            batch.submissions.append(Submission(student, assignment, notebook, problem=why))


def _student(batch: Batch, student: str, fd: int, expected: dict[str, list[str]], intake: Path) -> None:
    from course.grading import intake as safe

    for name, mode in sorted(safe.entries(fd).items()):
        if name not in expected:
            if not stat.S_ISREG(mode):
                batch.notes.append(f"{student}: unknown assignment {name!r} ignored")
            continue
        try:
            folder = safe.open_folder(name, fd)
        except safe.Refused as refused:
            subs = [
                Submission(student, name, n, problem=f"the assignment folder is {refused}")
                for n in expected[name]
            ]
            batch.submissions += subs
            continue
        try:
            batch.submissions += _assignment(batch, student, name, folder, expected[name], intake / name)
        finally:
            os.close(folder)


def _assignment(
    batch: Batch, student: str, assignment: str, fd: int, notebooks: list[str], intake: Path
) -> list[Submission]:
    from course.grading import intake as safe

    found = safe.entries(fd)
    for extra in sorted(n for n in found if n.endswith(".ipynb") and n[: -len(".ipynb")] not in notebooks):
        batch.notes.append(f"{student}/{assignment}: {extra!r} is not in the assignment; ignored")
    stamp, warnings = None, []
    if "timestamp.txt" in found:
        try:
            data = safe.read_regular("timestamp.txt", fd, safe.TIMESTAMP_BYTES)
            why = safe.check_timestamp(data)
            if why:
                raise safe.Refused(why)
            stamp = safe.keep(data, intake / "timestamp.txt")
        except safe.Refused as refused:
            warnings.append(f"timestamp.txt is {refused}; graded without a submission time")
    subs = []
    for notebook in notebooks:
        sub = Submission(student, assignment, notebook, timestamp=stamp, intake=list(warnings))
        filename = f"{notebook}.ipynb"
        if filename not in found:
            sub.problem = "missing: no such notebook in the submission"
        else:
            try:
                sub.path = safe.copy_regular(filename, fd, MAX_BYTES, intake / filename)
            except safe.Refused as refused:
                sub.problem = f"{filename} is {refused}"
        subs.append(sub)
    return subs


def _relevant(meta: dict) -> dict:
    """The nbgrader metadata the learner's file may differ in harmlessly: not the release's additions."""
    return {k: v for k, v in meta.items() if k not in ("checksum", "cell_type")}


def restore_metadata(notebook, reference) -> list[str]:
    """Put back the nbgrader metadata of the released notebook `reference`; what was changed, in words.

    Every cell's nbgrader metadata is the instructor's, not the learner's: a cell keeps a grade_id only
    if the release has it, with the same cell type, and no earlier cell claimed it; it then gets the
    release's metadata for that id (points, grade, solution, locked, schema). Any other nbgrader
    metadata is removed, so the cell is an ordinary cell of the learner. (Edited points, ids, flags or
    schema versions made nbgrader's autograde fail; the grade is now what the answers earn.)
    """
    released = {}
    for cell in reference.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if isinstance(meta, dict) and isinstance(meta.get("grade_id"), str):
            released.setdefault(meta["grade_id"], (cell.cell_type, meta))
    changes, claimed = [], set()
    for index, cell in enumerate(notebook.cells):
        metadata = cell.get("metadata")
        if not isinstance(metadata, dict) or "nbgrader" not in metadata:
            continue
        meta = metadata["nbgrader"]
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        known = released.get(grade_id) if isinstance(grade_id, str) else None
        if known is None or known[0] != cell.cell_type or grade_id in claimed:
            del metadata["nbgrader"]
            changes.append(f"cell {index}: nbgrader metadata removed ({str(grade_id)[:40]})")
            continue
        claimed.add(grade_id)
        if _relevant(meta) != _relevant(known[1]):
            changes.append(f"cell {index}: nbgrader metadata of {grade_id} restored")
        metadata["nbgrader"] = json.loads(json.dumps(known[1]))
    return changes


def prescreen(submission: Submission, destination: Path, reference: Path | None = None) -> bool:
    """Copy a gradable notebook to `destination` with outputs cleared; else set `problem`, return False.

    With `reference` (the released notebook), its nbgrader metadata is restored (`restore_metadata`);
    the changes are listed in `submission.notes`. Limits come first (course.grading.intake): bytes,
    nesting depth and the number of JSON values before parsing, cells and outputs after, and the size
    once outputs are cleared; any error on the way is this submission's problem, never the run's.
    """
    if submission.problem or submission.path is None:
        return False
    try:
        notebook = _parse(submission)
        if notebook is None:
            return False
        if reference is not None:
            import nbformat

            submission.notes = restore_metadata(notebook, nbformat.read(reference, as_version=4))
        _validate(notebook)
    except Exception as error:  # noqa: BLE001 - anything unreadable is the submission's problem
        first = (str(error).splitlines() or [""])[0][:80]
        submission.problem = f"not a valid notebook ({type(error).__name__}: {first})"
        return False
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(notebook_text(notebook), encoding="utf-8")
    return True


def _validate(notebook) -> None:
    import nbformat

    nbformat.validate(notebook)


def notebook_text(notebook) -> str:
    import nbformat

    return nbformat.writes(notebook)


def _parse(submission: Submission):
    """The submitted notebook, outputs cleared, or None with `submission.problem` set."""
    import nbformat

    from course.grading import intake as safe

    data = submission.path.read_bytes() if submission.path.stat().st_size <= MAX_BYTES else None
    if data is None:
        submission.problem = f"too large to grade (> {MAX_BYTES // 2**20} MiB)"
        return None
    problem = safe.structure_problem(data)
    if problem:
        submission.problem = f"not gradable: {problem}"
        return None
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        submission.problem = f"not valid JSON ({str(error)[:80]})"
        return None
    del data
    if not isinstance(raw, dict) or "cells" not in raw:
        raise ValueError("no cells")
    problem = safe.counts_problem(raw)
    if problem:
        submission.problem = f"not gradable: {problem}"
        return None
    for cell in raw["cells"]:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    text = json.dumps(raw)
    if len(text) > MAX_CLEAN_BYTES:
        submission.problem = (
            f"too large to grade once its outputs are cleared ({len(text) / 2**20:.0f} MiB > "
            f"{MAX_CLEAN_BYTES // 2**20} MiB)"
        )
        return None
    return nbformat.reads(text, as_version=4)
