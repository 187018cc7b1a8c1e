"""Probes: hidden tests report what the learner's code returned; the grader judges it outside the kernel.

A hidden test calls the learner's code on inputs the learner has not seen and reports the results:

    ### BEGIN HIDDEN TESTS
    from course.grading.probe import emit
    emit("counts", [count_tokens(t) for t in ["x  y\\tz w", "a"]], hint="tabs separate tokens too")
    ### END HIDDEN TESTS

`emit` turns the value into plain JSON (`canonical`) and, while the grader runs the notebook
(COURSE_PROBES=1 in the kernel's environment), displays it as a `application/vnd.course.probe+json`
bundle; otherwise (nbval, `course run-notebooks`) it only checks that the value can be probed.

The grader runs the instructor's solution notebook once per grading run to get the expected value
of every probe (and its tolerance and hint); after a submission is executed, the trusted worker
compares the submission's emissions with them (course.grading.verdict) and a test cell whose probe
is missing, repeated or different scores 0. The expected values never enter the learner's kernel, so
nothing patched there (this module included) can turn a wrong answer into points: forging an
emission needs the right value, which means solving the exercise. Hence the rule for hidden tests:
they hold the hidden inputs and the calls of the learner's code, never an expected value (no
reference computation, no literal answer).

This module runs in the learner's kernel: standard library only (torch and NumPy values are
recognised by their type, without importing either).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

MIME = "application/vnd.course.probe+json"
ENV = "COURSE_PROBES"  # "1" in the kernels the grader runs: emit() displays its bundle
MAX_DEPTH = 32
MAX_ITEMS = 500_000  # numbers in one probe (the output of one cell is capped at 2 MB by the grader)


class ProbeError(ValueError):
    """A value that cannot be probed (too deep, too large)."""


def _key(item: tuple) -> str:
    import json

    return json.dumps(item[0], sort_keys=True)


def _number(value: float):
    return value if math.isfinite(value) else {"$": "float", "value": repr(value)}


def _type_name(value: Any) -> str:
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


def _tensor(kind: str, dtype: str, shape, flat: list) -> dict:
    if len(flat) > MAX_ITEMS:
        raise ProbeError(f"a {kind} of {len(flat)} numbers is too large to probe")
    data = [_number(x) if type(x) is float else x for x in flat]
    return {"$": "tensor", "kind": kind, "dtype": dtype, "shape": [int(n) for n in shape], "data": data}


def canonical(value: Any, _depth: int = 0) -> Any:
    """`value` as plain JSON that keeps what a comparison needs.

    None, bool, int, str: themselves; float: itself (non-finite: {"$": "float", "value": "nan"});
    list: a list; tuple, set, dict: {"$": "tuple" | "set" | "dict", "items": ...} (dict items are
    [key, value] pairs, sets and dicts sorted); torch tensors and NumPy arrays: {"$": "tensor",
    "kind", "dtype", "shape", "data" (flat)}; NumPy scalars: the Python number; anything else:
    {"$": "object", "type": "module.Class"} (its type only).
    """
    if _depth > MAX_DEPTH:
        raise ProbeError("value nested too deeply to probe")
    deeper = _depth + 1
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        return _number(value)
    if isinstance(value, bool):
        return bool(value)
    module = type(value).__module__ or ""
    if module.startswith("torch"):
        import torch  # already imported: the value is a torch object

        if isinstance(value, torch.Tensor):
            flat = value.detach().cpu().reshape(-1)
            if flat.numel() > MAX_ITEMS:
                raise ProbeError(f"a tensor of {flat.numel()} numbers is too large to probe")
            return _tensor("torch", str(value.dtype), value.shape, flat.tolist())
        if isinstance(value, torch.Size):
            return {"$": "tuple", "items": [int(n) for n in value]}
        if isinstance(value, torch.dtype):
            return {"$": "dtype", "name": str(value)}
    if module.startswith("numpy"):
        import numpy  # already imported: the value is a NumPy object

        if isinstance(value, numpy.ndarray):
            if value.size > MAX_ITEMS:
                raise ProbeError(f"an array of {value.size} numbers is too large to probe")
            return _tensor("numpy", str(value.dtype), value.shape, value.reshape(-1).tolist())
        if isinstance(value, numpy.generic):
            return canonical(value.item(), deeper)
        if isinstance(value, numpy.dtype):
            return {"$": "dtype", "name": str(value)}
    if isinstance(value, int):  # IntEnum and other int subclasses
        return int(value)
    if isinstance(value, float):
        return _number(float(value))
    if isinstance(value, str):
        return str(value)
    if isinstance(value, list):
        if len(value) > MAX_ITEMS:
            raise ProbeError("list too long to probe")
        return [canonical(v, deeper) for v in value]
    if isinstance(value, tuple):
        return {"$": "tuple", "items": [canonical(v, deeper) for v in value]}
    if isinstance(value, (set, frozenset)):
        items = sorted(([canonical(v, deeper)] for v in value), key=_key)
        return {"$": "set", "items": [item[0] for item in items]}
    if isinstance(value, Mapping):
        pairs = sorted(([canonical(k, deeper), canonical(v, deeper)] for k, v in value.items()), key=_key)
        return {"$": "dict", "items": pairs}
    return {"$": "object", "type": _type_name(value)}


def payload(key: str, value: Any, *, tol: float | None = None, hint: str | None = None) -> dict:
    """The JSON a probe carries: key, canonical value and, from the instructor's run, tolerance and hint."""
    if not isinstance(key, str) or not key:
        raise ProbeError("a probe needs a non-empty string key")
    data: dict[str, Any] = {"key": key, "value": canonical(value)}
    if tol is not None:
        tol = float(tol)
        if not (math.isfinite(tol) and tol >= 0):
            raise ProbeError("tol must be a finite number >= 0")
        data["tol"] = tol
    if hint is not None:
        data["hint"] = str(hint)
    return data


def emit(key: str, value: Any, *, tol: float | None = None, hint: str | None = None) -> None:
    """Report `value` under `key` to the grader (see the module docstring).

    `tol`: absolute tolerance for every float in the value (0 when omitted: exact); `hint`: what the
    learner reads when the value differs ("[NOT YET] <key> differs from the expected value: <hint>").
    Both count only in the instructor's run; a hint must not give away an expected value or an input.
    """
    data = payload(key, value, tol=tol, hint=hint)
    if os.environ.get(ENV) == "1":
        from IPython.display import display

        display({MIME: data}, raw=True)
