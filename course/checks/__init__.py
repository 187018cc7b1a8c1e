"""Checks for the exercises: each takes the learner's object and returns a `CheckResult`.

One implementation serves three callers: the learner's self-check cell
(`course.check("name", obj)` prints a verdict), the nbgrader test cells
(`course.check(...).assert_passed()` or plain asserts), and the project's tests.
Checks are registered by name in the chapter modules listed in `CHECK_MODULES`.

Hints that unlock. `check()` (the learner's self-check, and only it) counts the failures of each
check name in the kernel. The 1st failure shows the check's message (what is wrong); the 2nd adds
hint level 1 (where to look); the 3rd and later add level 2 (which API to call). The levels are
the ones the instructor registered next to the check (`register(name, hints=(...))`, kept in
`HINTS`): never the answer or a hidden test. A pass resets the escalation (a later failure starts
again from the message) and says how many hints were used. `run_check` (the grader, hidden tests,
`use_if_passing`) counts and unlocks nothing.

Each call also records how far the learner went, in the notebook: a display output with empty
`data` (JupyterLab shows nothing; nbval, which skips `metadata`, compares nothing) whose `metadata`
holds `{HINTS_MIME: {"check", "passed", "failures", "hint_level", "levels", "version"}}`. It is
saved with the notebook, and the class report reads it from the submitted file
(`course.grading.item_analysis.hint_records`): information only, never a score. The count lives in
the kernel: a restarted kernel starts again from the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from course.checks.base import HINTS, REGISTRY, CheckResult, fail, register, success
from course.checks.shortcuts import ShortcutUsed
from course.display import wrap_lines

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
        "inference",  # chapter 2 section 8 (notebook 10)
        "curves",
    )
)

__all__ = [
    "CheckResult",
    "register",
    "success",
    "fail",
    "check",
    "run_check",
    "available",
    "use_if_passing",
    "HINTS_MIME",
    "hint_record_output",
    "reset_hints",
]

HINTS_MIME = "application/vnd.course.hints+json"
RECORD_VERSION = 1
# What each hint level tells, in the order they unlock (levels past these are "hint N").
LEVEL_NAMES = ("where to look", "which API to call")


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
    except ShortcutUsed as error:  # the learner's function called a shortcut the check switched off
        return fail(error.message)
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


@dataclass
class _Tries:
    """One check's self-check history in this kernel."""

    streak: int = 0  # failures since the last pass: drives the hint level
    failures: int = 0  # all failures in this kernel
    max_level: int = 0  # the highest hint level shown in this kernel


_TRIES: dict[str, _Tries] = {}


def reset_hints() -> None:
    """Forget every check's failures (as a kernel restart does)."""
    _TRIES.clear()


def _level_name(index: int) -> str:
    return LEVEL_NAMES[index] if index < len(LEVEL_NAMES) else f"hint {index + 1}"


def _hint_text(result: CheckResult, name: str, tries: _Tries) -> tuple[str, int]:
    """What the self-check prints, and the hint level it shows."""
    hints = HINTS.get(name, ())
    lines = [str(result)]
    if result.passed:
        if tries.max_level:
            lines.append(
                f"  (passed with {tries.max_level} of {len(hints)} hint(s), "
                f"after {tries.failures} failed tr{'y' if tries.failures == 1 else 'ies'})"
            )
        return "\n".join(lines), 0
    level = min(tries.streak - 1, len(hints))
    lines += [f"  {_level_name(i)}: {hints[i]}" for i in range(level)]
    if level < len(hints):
        lines.append(f"  (if it fails again: hint {level + 1} of {len(hints)}, {_level_name(level)})")
    return "\n".join(lines), level


def hint_record_output(record: dict) -> dict:
    """The notebook output that carries a hint record (nbformat's display_data, as a plain dict)."""
    return {"output_type": "display_data", "data": {}, "metadata": {HINTS_MIME: dict(record)}}


def _display_record(record: dict) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import publish_display_data
    except ImportError:  # pragma: no cover - IPython comes with every notebook
        return
    if get_ipython() is None:  # a plain Python process: nothing to record into
        return
    publish_display_data({}, metadata={HINTS_MIME: record})


def check(name: str, *args: Any, **kwargs: Any) -> CheckResult:
    """Self-check: run the check called `name`, print a one-line verdict, return the result.

    Repeated failures unlock the check's hint levels one at a time, and the history is recorded in
    the notebook (see the module docstring). The result is `run_check`'s, unchanged.
    """
    result = run_check(name, *args, **kwargs)
    tries = _TRIES.setdefault(name, _Tries())
    if not result.passed:
        tries.streak += 1
        tries.failures += 1
    text, level = _hint_text(result, name, tries)
    tries.max_level = max(tries.max_level, level)
    print(wrap_lines(text))
    record = {
        "check": name,
        "passed": bool(result.passed),
        "failures": tries.failures,
        "hint_level": tries.max_level,
        "levels": len(HINTS.get(name, ())),
        "version": RECORD_VERSION,
    }
    if result.passed:
        tries.streak = 0
    _display_record(record)
    return result
