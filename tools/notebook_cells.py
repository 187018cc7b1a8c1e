"""Authoring helpers for the chapter notebooks: cells with the nbgrader metadata the course uses.

Use from a generator script:  from tools.notebook_cells import md, code, solution, tests, write
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def _nbgrader(
    grade_id: str,
    *,
    solution: bool = False,
    grade: bool = False,
    locked: bool = False,
    points: int | None = None,
) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def md(text: str, grade_id: str | None = None):
    """A markdown cell; with grade_id it is locked (the statement of an exercise)."""
    cell = new_markdown_cell(text.strip())
    if grade_id:
        cell.metadata.update(_nbgrader(grade_id, locked=True))
    return cell


def code(source: str, tags: list[str] | None = None):
    """A plain code cell; tags such as 'nbval-ignore-output'."""
    cell = new_code_cell(source.strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def solution(source: str, grade_id: str):
    """The learner's answer cell: code between ### BEGIN SOLUTION / ### END SOLUTION is stubbed out."""
    cell = new_code_cell(source.strip())
    cell.metadata.update(_nbgrader(grade_id, solution=True))
    return cell


def tests(source: str, grade_id: str, points: int = 1):
    """An autograded, locked test cell (### BEGIN HIDDEN TESTS ... ### END HIDDEN TESTS inside)."""
    cell = new_code_cell(source.strip())
    cell.metadata.update(_nbgrader(grade_id, grade=True, locked=True, points=points))
    return cell


def write(path: str | Path, cells: list) -> Path:
    """Write a notebook with the python3 kernel spec."""
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    notebook.metadata["language_info"] = {"name": "python"}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path
