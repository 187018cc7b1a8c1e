"""Ready-made shortcuts switched off, or watched, while the learner's function runs.

An exercise that rebuilds something by hand (the pipeline, the tokenizer's one-call encoding, `tokenizer.pad`,
evaluate's metric, a learning-rate scheduler, the course's own reference answer) must not pass by calling that
very thing. Checks and hidden tests use one of two tools:

- `switched_off(functions, message)`, the default: each Python function's `__code__` is swapped for code that
  raises, and restored on exit. The function object itself refuses, however the learner reached it: a name
  imported before the check, an alias, a bound method, `super()`, a library wrapper that calls it. A call
  inside the block ends it with `ShortcutUsed("[NOT YET] <message>")`, which `course.check` turns into
  the failure message. Each notebook's check module lists its shortcuts once,
  per exercise, in `own_work = own_work_of(...)`; its hidden tests call the same `own_work(exercise)`.
- `calls_to(functions, outside=..., builtin_methods=...)`, only where switching off cannot work: it lets every
  call run and records the ones made (`sys.setprofile`). (1) C and Rust functions, such as the `tokenizers`
  library's `Tokenizer.encode`, have no `__code__` to swap. (2) A shortcut the library itself calls inside an
  API the exercise needs cannot be switched off: `tokenizer.tokenize` calls `_encode_plus` and the Rust
  `encode`; `outside=` counts only the calls made from code outside the library.

Standard library only, so that `import course` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

SWITCHED_OFF = "course: this ready-made function is switched off while your function is checked"
# tokenizer(text), tokenizer.encode(text) and what both end in: the one call that adds the special tokens
ONE_CALL_ENCODING = ("__call__", "encode", "_encode_plus")


def _switched_off(*args: Any, **kwargs: Any) -> None:
    # Its code replaces a function's code for a while, so it runs with that function's globals:
    # builtins and literals only.
    raise RuntimeError("course: this ready-made function is switched off while your function is checked")


class ShortcutUsed(AssertionError):
    """The learner's function called a ready-made function that does the exercise's work."""

    def __init__(self, message: str):
        self.message = message.removeprefix("[NOT YET] ")
        super().__init__(f"[NOT YET] {self.message}")


def _function(target: Callable) -> Callable:
    function = getattr(target, "__func__", target)  # a bound method, classmethod or staticmethod
    code = getattr(function, "__code__", None)
    if code is None:
        raise TypeError(
            f"{target!r} has no Python code to switch off (a C function?): watch it with calls_to"
        )
    if code.co_freevars:
        raise TypeError(f"{function.__qualname__} is a closure: switch off the function it wraps")
    return function


@contextmanager
def switched_off(functions: Iterable[Callable], message: str) -> Iterator[None]:
    """While the block runs, each of `functions` raises: a call of one ends the block with ShortcutUsed.

    The functions' code is swapped (and restored on exit, also after an error), so the function objects
    themselves refuse; other errors pass through unchanged.
    """
    targets = [_function(target) for target in functions]
    saved = []
    try:
        for function in targets:
            saved.append((function, function.__code__))
            function.__code__ = _switched_off.__code__
        try:
            yield
        except RuntimeError as error:
            if str(error) != SWITCHED_OFF:
                raise
            raise ShortcutUsed(message) from None
    finally:
        for function, code in reversed(saved):  # reversed: a function listed twice gets its own code back
            function.__code__ = code


def methods(owner: Any, *names: str) -> list[Callable]:
    """The functions behind `owner`'s methods `names`, from the class of its MRO that defines each.

    `owner`: an object (its class is searched) or a class, e.g. `methods(tokenizer, "pad")`.
    """
    klass = owner if isinstance(owner, type) else type(owner)
    found = []
    for name in names:
        defining = next((k for k in klass.__mro__ if name in k.__dict__), None)
        if defining is None:
            raise AttributeError(f"{klass.__name__} has no method {name!r}")
        found.append(_function(defining.__dict__[name]))
    return found


def encoding_methods(tokenizer: Any) -> list[Callable]:
    """The tokenizer's one-call encoding: `tokenizer(...)`, `encode` and `_encode_plus` (which both call)."""
    return methods(tokenizer, *ONE_CALL_ENCODING)


def pipeline_methods() -> list[Callable]:
    """Building or running any transformers pipeline: `Pipeline.__init__`, `__call__` and `forward`."""
    from transformers.pipelines.base import Pipeline

    return methods(Pipeline, "__init__", "__call__", "forward")


# (the objects an exercise gets) -> (the shortcuts to switch off, the message that names them)
Shortcuts = Callable[..., tuple[Sequence[Callable], str]]


def own_work_of(notebook: str, exercises: Mapping[str, Shortcuts]) -> Callable[..., AbstractContextManager]:
    """The `own_work(exercise, *objects)` of one notebook, for its checks and its hidden tests.

    `exercises`: exercise name -> a function of the objects the learner's function gets (often none, or the
    tokenizer) returning the shortcuts and the message. Called when the exercise is checked, so a library is
    imported only then.
    """

    def own_work(exercise: str, *objects: Any) -> AbstractContextManager:
        if exercise not in exercises:
            raise KeyError(f"no exercise {exercise!r} in {notebook}; its exercises: {', '.join(exercises)}")
        functions, message = exercises[exercise](*objects)
        return switched_off(functions, message)

    own_work.__doc__ = (
        f"While inside, the ready-made functions that would do an exercise of {notebook} "
        f"({', '.join(exercises)}) are switched off; calling one raises ShortcutUsed ('[NOT YET] ...')."
    )
    return own_work


@contextmanager
def calls_to(
    functions: Iterable[Callable[..., Any]],
    *,
    outside: str | None = None,
    builtin_methods: tuple[tuple[type, str], ...] = (),
) -> Iterator[list[str]]:
    """The names of `functions` called while the block runs, in order (a list filled as they run).

    `outside`: count only calls made from code whose file is not under that folder (a library's own
    internal calls are not the learner's); `builtin_methods`: (type, name) of C methods to watch too, such
    as the Rust tokenizer's `encode`. Uses `sys.setprofile` (every call is slower meanwhile: keep the block
    short); restores the previous profiler at the end.
    """
    codes = {
        getattr(function, "__func__", function).__code__: function.__qualname__ for function in functions
    }
    called: list[str] = []
    previous = sys.getprofile()

    def from_outside(frame: Any) -> bool:
        return outside is None or frame is None or not frame.f_code.co_filename.startswith(outside)

    def record(name: str) -> None:
        if name not in called:
            called.append(name)

    def hook(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            name = codes.get(frame.f_code)
            if name is not None and from_outside(frame.f_back):
                record(name)
        elif event == "c_call" and builtin_methods:
            owner = getattr(arg, "__self__", None)
            for kind, method in builtin_methods:
                if isinstance(owner, kind) and getattr(arg, "__name__", "") == method and from_outside(frame):
                    record(f"{kind.__name__}.{method}")

    sys.setprofile(hook)
    try:
        yield called
    finally:
        sys.setprofile(previous)
