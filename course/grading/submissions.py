"""A folder of submissions, in nbgrader's `submitted/` layout, found and pre-screened.

    SUBMISSIONS_DIR/<student>/<assignment>/<notebook>.ipynb
    e.g. submitted/alice/chapter2/01_pipeline.ipynb

Pre-screening happens in the grader, before any kernel starts: a notebook that is not valid JSON (or
not a notebook), one larger than MAX_BYTES, or one that is missing is recorded with its reason and
scores zero; every other notebook is copied with its outputs cleared (stored outputs are never
trusted: the grader runs the notebook itself).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 200 * 1024 * 1024
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")


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


def discover(root: Path, expected: dict[str, list[str]]) -> Batch:
    """Every (student, assignment, notebook) to grade; `expected` maps assignment -> notebook ids."""
    batch = Batch()
    root = Path(root)
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if not STUDENT_ID.match(folder.name):
            batch.notes.append(f"{folder.name!r}: not a usable student id (letters, digits, _.@+-); skipped")
            continue
        assignments = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
        for name in assignments:
            if name not in expected:
                batch.notes.append(f"{folder.name}: unknown assignment {name!r} ignored")
                continue
            directory = folder / name
            stamp = directory / "timestamp.txt"
            known = set(expected[name])
            for extra in sorted(p.stem for p in directory.glob("*.ipynb") if p.stem not in known):
                batch.notes.append(f"{folder.name}/{name}: {extra}.ipynb is not in the assignment; ignored")
            for notebook in expected[name]:
                path = directory / f"{notebook}.ipynb"
                sub = Submission(folder.name, name, notebook, timestamp=stamp if stamp.is_file() else None)
                if path.is_file():
                    sub.path = path
                else:
                    sub.problem = "missing: no such notebook in the submission"
                batch.submissions.append(sub)
        if not any(s.student == folder.name for s in batch.submissions):
            batch.notes.append(f"{folder.name}: no assignment folder to grade")
    return batch


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
    the changes are listed in `submission.notes`.
    """
    import nbformat

    if submission.problem or submission.path is None:
        return False
    size = submission.path.stat().st_size
    if size > MAX_BYTES:
        submission.problem = f"too large to grade ({size / 2**20:.0f} MB > {MAX_BYTES // 2**20} MB)"
        return False
    try:
        raw = json.loads(submission.path.read_bytes())
    except (ValueError, UnicodeDecodeError) as error:
        submission.problem = f"not valid JSON ({str(error)[:80]})"
        return False
    try:
        if not isinstance(raw, dict) or "cells" not in raw:
            raise ValueError("no cells")
        notebook = nbformat.reads(json.dumps(raw), as_version=4)
        for cell in notebook.cells:
            if cell.get("cell_type") == "code":
                cell.outputs = []
                cell.execution_count = None
        if reference is not None:
            submission.notes = restore_metadata(notebook, nbformat.read(reference, as_version=4))
        nbformat.validate(notebook)
    except Exception as error:  # noqa: BLE001 - anything unreadable is the submission's problem
        first = (str(error).splitlines() or [""])[0][:80]
        submission.problem = f"not a valid notebook ({type(error).__name__}: {first})"
        return False
    destination.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, destination)
    return True
