"""Every exercise of every notebook is proven ungameable, and every check has its hints and message proof.

The proofs themselves live in tests/test_exercises_NN.py (wrong answers through the self-check and the graded
test cells) and tests/test_checks_<module>.py (every failure message reached). This file checks that none is
missing: a new exercise or check without its proof fails here.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

from course.checks import CHECK_MODULES, available
from course.checks.base import HINTS, REGISTRY
from course.notebooks import SOLUTIONS, notebook_paths

TESTS = Path(__file__).resolve().parent
# The quiz notebooks (NN_chapterN_quiz) hold answers, not exercises: tests/test_quiz.py proves them.
NOTEBOOKS = [p for p in notebook_paths(SOLUTIONS) if not p.stem.endswith("_quiz")]


def _solution_ids(path: Path) -> set[str]:
    notebook = nbformat.read(path, as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]
        for c in notebook.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
    }


def _answers(number: str) -> dict:
    path = TESTS / f"test_exercises_{number}.py"
    assert path.exists(), f"no {path.name}: the exercises of notebook {number} are not proven"
    spec = importlib.util.spec_from_file_location(f"_coverage_{number}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ANSWERS


def test_there_are_thirty_exercises():
    # 30 + the try-it-out tasks of 01, 03, 04 (x2), 06 (x4), 08; 03's pairs; 09's prepare_lm_data;
    # 11 (x3); 10 (x4);
    # 07 (x2: evaluate's metric, build_trainer); 08's Accelerate loop
    assert sum(len(_solution_ids(p)) for p in NOTEBOOKS) == 51


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exercise_is_fed_at_least_three_wrong_answers(path):
    answers = _answers(path.name[:2])
    assert set(answers) == _solution_ids(path), "ANSWERS must cover exactly the notebook's exercises"
    for grade_id, fed in answers.items():
        labels = [label for label, _ in fed]
        assert len(set(labels)) >= 3, f"{grade_id}: fewer than 3 distinct wrong answers"
        assert len(set(labels)) == len(labels), f"{grade_id}: two wrong answers share a label"


def test_every_check_has_two_hint_levels():
    available()  # loads every check module
    names = [name for name, check in REGISTRY.items() if check.__module__ in CHECK_MODULES]  # not tests' own
    assert len(names) >= 30
    missing = [name for name in names if len(HINTS.get(name, ())) < 2]
    assert not missing, f"checks without two hint levels: {missing}"


@pytest.mark.parametrize("module", CHECK_MODULES)
def test_every_check_module_proves_its_failure_messages_are_reached(module):
    short = module.rsplit(".", 1)[1]
    source = (TESTS / f"test_checks_{short}.py").read_text()
    assert "assert_every_failure_reached(" in source and re.search(rf"{module}\b|import {short}\b", source), (
        f"tests/test_checks_{short}.py never calls assert_every_failure_reached on {module}"
    )
