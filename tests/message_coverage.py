"""Proof that every failure message of a check module is reached: each `fail(...)` call site has run.

`course.checks.base.fail` records the (file, line) of its caller; `assert_every_failure_reached(module)`
compares that record with the `fail(...)` calls found in the module's source. Call it in the last test
of the module's test file (pytest runs a file's tests in order, in one process with `--dist loadfile`).
"""

from __future__ import annotations

import ast
import inspect
from types import ModuleType

from course.checks.base import REACHED


def fail_sites(module: ModuleType) -> dict[int, str]:
    """line -> the start of the message, for every `fail(...)` call written in `module`."""
    tree = ast.parse(inspect.getsource(module))
    sites = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "fail":
            message = ast.get_source_segment(inspect.getsource(module), node.args[0]) if node.args else ""
            # the line fail() records is the one the call starts on (Python 3.11+: the call's own line)
            sites[node.lineno] = (message or "")[:90]
    return sites


def unreached(module: ModuleType) -> dict[int, str]:
    """The fail(...) sites of `module` that no test has reached in this process."""
    reached = {line for file, line in REACHED if file == module.__file__}
    return {line: text for line, text in fail_sites(module).items() if line not in reached}


def assert_every_failure_reached(module: ModuleType) -> None:
    """Fail with the list of unreached failure messages of `module`."""
    missing = unreached(module)
    assert not missing, (
        f"{len(missing)} failure message(s) of {module.__name__} never reached:\n"
        + "\n".join(f"  line {line}: {text}" for line, text in sorted(missing.items()))
    )
