"""The result type shared by every check, and the registry of checks by name."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

REGISTRY: dict[str, Callable[..., CheckResult]] = {}
# name -> the hint levels the instructor wrote next to the check, revealed one at a time on repeated
# failures after the failure message itself ("what is wrong"): where to look, then which API to call.
HINTS: dict[str, tuple[str, ...]] = {}


@dataclass
class CheckResult:
    """The verdict of a check: passed or not, a one-line message that teaches, and details."""

    passed: bool
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    advice: str = ""

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        mark = "PASSED" if self.passed else "NOT YET"
        text = f"[{mark}] {self.message}"
        return text + (f"\n  hint: {self.advice}" if self.advice else "")

    def assert_passed(self) -> None:
        """Raise AssertionError with the teaching message unless the check passed (for test cells)."""
        if not self.passed:
            raise AssertionError(str(self))


def success(message: str, **details: Any) -> CheckResult:
    """A passing result."""
    return CheckResult(True, message, details)


# (file, line) of every fail(...) call that has run in this process: the tests prove with it that each
# failure message of each check is reached (tests/message_coverage.py).
REACHED: set[tuple[str, int]] = set()


def fail(message: str, advice: str = "", **details: Any) -> CheckResult:
    """A failing result whose message says what is wrong."""
    caller = sys._getframe(1)
    REACHED.add((caller.f_code.co_filename, caller.f_lineno))
    return CheckResult(False, message, details, advice)


def register(
    name: str, hints: tuple[str, ...] = ()
) -> Callable[[Callable[..., CheckResult]], Callable[..., CheckResult]]:
    """Decorator: make a check callable as `course.check(name, ...)`, with its unlockable hint levels.

    `hints`: ("where to look", "which API to call"), never the answer or a hidden input.
    """

    def decorate(function: Callable[..., CheckResult]) -> Callable[..., CheckResult]:
        if name in REGISTRY and REGISTRY[name] is not function:
            raise ValueError(f"Two checks are called {name!r}")
        REGISTRY[name] = function
        HINTS[name] = tuple(hints)
        return function

    return decorate


def not_a_function(name: str, value: Any, signature: str) -> CheckResult | None:
    """None when `value` is the learner's function; else the failure that asks for the function itself.

    A model is callable too: a torch module is refused (looked up only when torch is already imported).
    """
    nn = sys.modules.get("torch.nn")
    if callable(value) and not (nn is not None and isinstance(value, nn.Module)):
        return None
    return fail(
        f"expected your function {name}{signature}, got {type(value).__name__}: pass the function itself"
    )


def prefixed(prefix: str, result: CheckResult) -> CheckResult:
    """The verdict of one input, its message saying which input it was."""
    result.message = f"{prefix}: {result.message}"
    return result
