"""`course`: the Jupyter companion to the Hugging Face course, chapters 2 and 3.

`import course` is fast: the heavy libraries load when a function first needs them.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Imported eagerly (it needs only `re`): binding the function here keeps `course.explain` the function,
# even after something imports the submodule `course.explain`.
from course.explain import explain

__all__ = [
    "setup",
    "check",
    "check_quiz",
    "explain",
    "checks",
    "viz",
    "env",
]

_LAZY = {
    "setup": ("course.startup", "setup"),
    "check": ("course.checks", "check"),
    "check_quiz": ("course.quiz", "check_quiz"),
}
_SUBMODULES = {"checks", "viz", "env", "data", "standins", "offline", "quiz"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attribute = _LAZY[name]
        return getattr(import_module(module), attribute)
    if name in _SUBMODULES:
        return import_module(f"course.{name}")
    raise AttributeError(f"module 'course' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
