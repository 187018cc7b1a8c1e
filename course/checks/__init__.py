"""Checks for the exercises: each takes the learner's object and returns a `CheckResult`.

One implementation serves three callers: the learner's self-check cell
(`course.check("name", obj)` prints a verdict), the nbgrader test cells
(`course.check(...).assert_passed()` or plain asserts), and the project's tests.
Checks are registered by name in the chapter modules listed in `CHECK_MODULES`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from course.checks.base import REGISTRY, CheckResult, fail, register, success

# One module per notebook, so that each notebook's checks live beside each other.
CHECK_MODULES = tuple(
    f"course.checks.{name}"
    for name in (
        "pipeline",
        "models",
        "tokenizers",
        "sequences",
        "together",  # chapter 2
        "processing",
        "trainer",
        "training_loop",
        "lm_data",  # chapter 3
    )
)

__all__ = ["CheckResult", "register", "success", "fail", "check", "run_check", "available", "use_if_passing"]


def _load_all() -> None:
    for module in CHECK_MODULES:
        try:
            import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise


def available() -> list[str]:
    """The names of all registered checks."""
    _load_all()
    return sorted(REGISTRY)


def run_check(name: str, *args: Any, **kwargs: Any) -> CheckResult:
    """Run the check called `name` and return its result without printing."""
    _load_all()
    if name not in REGISTRY:
        raise KeyError(f"No check called {name!r}. Available: {', '.join(sorted(REGISTRY))}")
    try:
        return REGISTRY[name](*args, **kwargs)
    except NotImplementedError:
        return fail("not yet: the exercise still raises NotImplementedError; replace it with your code.")
    except Exception as error:  # noqa: BLE001 - a crash in the learner's code becomes advice
        from course.explain import explain

        return fail(f"your code raised {type(error).__name__}: {error}", advice=explain(error))


def use_if_passing(
    answer: Any, check_name: str, reference: Any, name: str, verb: str, course_version: str
) -> Any:
    """The learner's `answer` when it passes `check_name`, else the course's `reference`.

    Later cells of a notebook run either way; one line says which was used.
    """
    if answer is not None and run_check(check_name, answer).passed:
        print(f"[course] {verb} with your {name} (it passes {check_name})")
        return answer
    print(f"[course] your {name} does not pass {check_name} yet: {verb} with the course's {course_version}")
    return reference


def check(name: str, *args: Any, **kwargs: Any) -> CheckResult:
    """Self-check: run the check called `name`, print a one-line verdict, return the result."""
    result = run_check(name, *args, **kwargs)
    print(result)
    return result
