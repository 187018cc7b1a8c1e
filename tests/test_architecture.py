"""The shape of course/ (#22): no import circles, the floors in order, no function longer than a screen.

The contracts live in pyproject.toml ([tool.importlinter]); `lint-imports` checks the same from a shell.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "course"
MAX_FUNCTION_LINES = 80
MAX_GRADE_PY_LINES = 400


def _long_functions(root: Path, limit: int) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > limit:
                    found.append(
                        f"{path.relative_to(root.parent)}:{node.lineno} {node.name} ({length} lines)"
                    )
    return found


def test_the_import_contracts_hold():
    """No circles between sibling modules or packages at any depth, and the floors in order (pyproject)."""
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(PACKAGE.parent / "pyproject.toml"), no_cache=True) == 0, (
        "run `lint-imports` for the broken contract and the import to remove"
    )


def test_the_contracts_can_fail(tmp_path):
    """A planted circle (two sibling modules importing each other) breaks the acyclic contract."""
    from importlinter.cli import lint_imports

    package = tmp_path / "planted"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from planted import b\n")
    (package / "b.py").write_text("from planted import a\n")
    config = tmp_path / "contracts.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "planted"\n\n[[tool.importlinter.contracts]]\n'
        'name = "no circles"\ntype = "acyclic_siblings"\nancestors = ["planted"]\n'
    )
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        assert lint_imports(config_filename=str(config), no_cache=True) == 1
    finally:
        sys.path.remove(str(tmp_path))


def test_no_function_in_course_is_longer_than_a_screen():
    assert _long_functions(PACKAGE, MAX_FUNCTION_LINES) == []


def test_the_length_check_sees_a_long_function(tmp_path):
    (tmp_path / "long.py").write_text("def long():\n" + "    x = 1\n" * MAX_FUNCTION_LINES)
    assert _long_functions(tmp_path, MAX_FUNCTION_LINES) == [f"{tmp_path.name}/long.py:1 long (81 lines)"]


def test_grade_py_is_at_most_400_lines():
    assert len((PACKAGE / "grading" / "grade.py").read_text().splitlines()) <= MAX_GRADE_PY_LINES
