"""What hidden tests use, so that a learner's monkeypatching cannot change what they compute.

Points are decided outside the learner's kernel (course.grading.probe, course.grading.verdict):
hidden tests run the learner's code on hidden inputs and emit the results, and the grader compares
them with what the instructor's solution emitted. So a hidden test holds no expected value: whatever
the kernel computes or holds, a patched `exact` or a post-cell hook can read and send back as the
learner's result. What this module still gives hidden tests:

- the inputs, from the library itself: `load_tokenizer`, `load_model` call the Auto classes directly,
  not names the learner's cells could have rebound;
- checks on properties whose expected value is the input itself (the learner's function must not
  change its argument), and messages: `exact`, `close`, and `require`/`fresh_check`, which load
  `course.checks` afresh from the files on disk, ignoring whatever the kernel's `course` now holds.
  These run in the kernel: they help the learner, they do not decide points.

    ### BEGIN HIDDEN TESTS
    from course.grading.probe import emit as _emit
    from course.grading.trusted import load_tokenizer
    _tok = load_tokenizer("bert-base-uncased")        # an input: the learner's function gets it
    _emit("batch", encode_batch(["a b", "c"], _tok), hint="pad to the longest row")
    ### END HIDDEN TESTS

The grader adds two guards outside the kernel (course.grading.preprocessors and course.grading.scan):
builtins are restored before each test cell, and a static scan of the learner's cells zeroes a
notebook that assigns to `course`, `builtins` or `sys.modules`, imports this module, or uses
exec/eval/setattr and the like.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from importlib import import_module
from typing import Any

_PACKAGE = "course"
_FRESH: dict[str, Any] | None = None


def _ours(name: str) -> bool:
    return name == _PACKAGE or name.startswith(_PACKAGE + ".")


@contextmanager
def _swapped(modules: dict[str, Any] | None):
    """sys.modules with course.* replaced by `modules` (None: emptied) for the duration."""
    saved = {k: v for k, v in sys.modules.items() if _ours(k)}
    for name in saved:
        del sys.modules[name]
    if modules:
        sys.modules.update(modules)
    try:
        yield
    finally:
        for name in [k for k in sys.modules if _ours(k)]:
            del sys.modules[name]
        sys.modules.update(saved)


def fresh_modules() -> dict[str, Any]:
    """course, course.checks and every check module, imported afresh from disk (cached per kernel)."""
    global _FRESH
    if _FRESH is None:
        with _swapped(None):
            import_module(_PACKAGE)
            checks = import_module(f"{_PACKAGE}.checks")
            checks._load_all()
            import_module(f"{_PACKAGE}.explain")
            _FRESH = {k: v for k, v in sys.modules.items() if _ours(k)}
    return _FRESH


def fresh_check(name: str, *args: Any, **kwargs: Any):
    """The check `name` run from the fresh copy of course.checks (its CheckResult is fresh too)."""
    modules = fresh_modules()
    with _swapped(modules):
        return modules[f"{_PACKAGE}.checks"].run_check(name, *args, **kwargs)


def require(name: str, *args: Any, **kwargs: Any) -> None:
    """Raise AssertionError with the check's message unless the fresh check passed."""
    result = fresh_check(name, *args, **kwargs)
    if getattr(result, "passed", None) is not True:
        raise AssertionError(f"[NOT YET] {getattr(result, 'message', result)}")


_HEADS = {None: "AutoModel", "sequence-classification": "AutoModelForSequenceClassification"}


def load_tokenizer(name: str, **kwargs: Any):
    """`AutoTokenizer.from_pretrained(name)`: the library's loader, not a name the learner's cells bound."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(name, **kwargs)


def load_model(name: str, task: str | None = None, **kwargs: Any):
    """`AutoModel` (task None) or `AutoModelForSequenceClassification` `.from_pretrained(name)`."""
    import transformers

    return getattr(transformers, _HEADS[task]).from_pretrained(name, **kwargs)


def exact(value: Any, expected: Any) -> bool:
    """True only when `value` has exactly the type of `expected` and the same content.

    Type first, so an object with a forged __eq__ or __bool__ cannot pass; recursive for lists,
    tuples and dicts; tensors and arrays compare dtype, shape and every element.
    """
    if type(value) is not type(expected):
        return False
    if isinstance(expected, (list, tuple)):
        return len(value) == len(expected) and all(exact(v, e) for v, e in zip(value, expected))
    if isinstance(expected, dict):
        return sorted(map(repr, value.keys())) == sorted(map(repr, expected.keys())) and all(
            exact(value[k], expected[k]) for k in expected
        )
    module = type(expected).__module__
    if module.startswith("torch"):
        import torch

        return (
            value.dtype == expected.dtype
            and tuple(value.shape) == tuple(expected.shape)
            and bool(torch.equal(value, expected))
        )
    if module.startswith("numpy"):
        import numpy

        return (
            value.dtype == expected.dtype
            and value.shape == expected.shape
            and bool(numpy.array_equal(value, expected))
        )
    return bool(expected == value)


def close(value: Any, expected: float, tolerance: float = 1e-6) -> bool:
    """A number within `tolerance` of `expected`: exactly int, float or a NumPy scalar (sklearn returns
    those); a subclass, which could forge its arithmetic, is refused."""
    import numpy

    numbers = (int, float, numpy.float64, numpy.float32, numpy.int64, numpy.int32)
    return type(value) in numbers and abs(float(value) - float(expected)) <= tolerance
