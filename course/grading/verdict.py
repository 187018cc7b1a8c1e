"""The verdict on probes, outside the learner's kernel (see course.grading.probe).

Runs in the trusted worker, on the executed notebook:

- `expected_from(nb)`: the probes of the instructor's solution, per test cell (grade_id), with their
  tolerance and hint: the expected values. The solution must pass its own test cells, and every
  test cell whose code calls `emit(` must have emitted; otherwise `ReferenceFailed`.
- `judge(nb, expected)`: each graded test cell whose solution emitted probes must carry, among its
  own outputs, exactly one emission per expected key with an equal value (`same`); a probe that is
  missing, repeated or different puts an error output first in the cell, so nbgrader scores it 0,
  whatever the kernel printed, raised or displayed. The message names the key (and the solution's
  hint), never a value. Emissions under other keys are ignored; a learner's `tol` or `hint` too.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from nbformat.v4 import new_output

from course.grading.probe import MIME

PROBE_CALL = "emit("
ERROR_NAME = "ProbeMismatch"
_MISSING = object()


class ReferenceFailed(RuntimeError):
    """The instructor's notebook did not yield a usable set of expected values."""


def _grade_id(cell) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if cell.get("cell_type") == "code" and meta.get("grade") and not meta.get("solution"):
        return meta.get("grade_id")
    return None


def emissions(cell) -> dict[str, list[dict]]:
    """key -> the probe payloads one cell displayed (display_data outputs with the probe MIME type)."""
    found: dict[str, list[dict]] = {}
    for output in cell.get("outputs", []):
        if output.get("output_type") != "display_data":
            continue
        data = output.get("data", {}).get(MIME, _MISSING)
        if data is _MISSING:
            continue
        try:  # plain JSON (nbformat hands out NotebookNode dicts); a frontend may have stored it as text
            data = json.loads(data if isinstance(data, str) else json.dumps(data))
        except (TypeError, ValueError, RecursionError):
            data = None
        data = data if isinstance(data, dict) else {}
        key = data.get("key")
        found.setdefault(key if isinstance(key, str) else "", []).append(data)
    return found


def same(expected: Any, got: Any, tol: float = 0.0) -> bool:
    """`got` (a submission's canonical JSON) equals `expected` (the solution's).

    Exact for None, bools, ints, strings, tensor kinds, dtypes and shapes, and for the structure
    (types of containers, lengths, dict keys); floats within `tol` (an int is accepted for a float).
    The walk follows `expected` (trusted), so a hostile `got` cannot make it deep or long.
    """
    if expected is None:
        return got is None
    if isinstance(expected, bool):
        return type(got) is bool and got is expected
    if isinstance(expected, int):
        return type(got) is int and got == expected
    if isinstance(expected, float):
        if type(got) not in (int, float):
            return False
        try:
            difference = abs(float(got) - expected)
        except OverflowError:
            return False
        return math.isfinite(difference) and difference <= tol
    if isinstance(expected, str):
        return type(got) is str and got == expected
    if isinstance(expected, list):
        return (
            type(got) is list
            and len(got) == len(expected)
            and all(same(e, g, tol) for e, g in zip(expected, got))
        )
    if isinstance(expected, dict):
        if type(got) is not dict or got.get("$") != expected.get("$"):
            return False
        tag = expected.get("$")
        if tag == "float":
            return got.get("value") == expected.get("value")
        if tag in ("tuple", "set", "dict"):
            return same(expected.get("items"), got.get("items", _MISSING), tol)
        if tag == "tensor":
            return all(
                same(expected.get(k), got.get(k, _MISSING)) for k in ("kind", "dtype", "shape")
            ) and same(expected.get("data"), got.get("data", _MISSING), tol)
        if tag == "dtype":
            return got.get("name") == expected.get("name")
        if tag == "object":
            return got.get("type") == expected.get("type")
        return False
    return False


# --- the reference: the solution's emissions ---------------------------------------------------------


def _failed(cell) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename', 'Error')}: {str(output.get('evalue', ''))[:200]}"
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            return "stderr: " + "".join(output.get("text", "")).strip()[:200]
    return ""


def expected_from(nb) -> dict[str, dict[str, dict]]:
    """grade_id -> key -> {"value", "tol", "hint"} from the executed solution notebook."""
    expected: dict[str, dict[str, dict]] = {}
    problems = []
    for index, cell in enumerate(nb.cells):
        grade_id = _grade_id(cell)
        if grade_id is None:
            continue
        failure = _failed(cell)
        if failure:
            problems.append(f"{grade_id} (cell {index}) fails on the solution: {failure}")
            continue
        probes = {}
        for key, found in emissions(cell).items():
            if not key or len(found) != 1 or "value" not in found[0]:
                problems.append(f"{grade_id}: probe {key!r} emitted {len(found)} times or malformed")
                continue
            tol = found[0].get("tol")
            usable = type(tol) in (int, float) and math.isfinite(tol) and tol >= 0
            probes[key] = {
                "value": found[0]["value"],
                "tol": float(tol) if usable else 0.0,
                "hint": str(found[0].get("hint") or ""),
            }
        if probes:
            expected[grade_id] = probes
        elif PROBE_CALL in cell.get("source", ""):
            problems.append(f"{grade_id}: its code calls emit() but no probe was displayed")
    if problems:
        raise ReferenceFailed("; ".join(problems))
    return expected


def write_expected(path: Path, expected: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(expected, indent=1, sort_keys=True))


def load_expected(path: str | Path) -> dict[str, dict[str, dict]]:
    data = json.loads(Path(path).read_text())
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a table of expected probes")
    return data


# --- the verdict on a submission ---------------------------------------------------------------------


def problems_of(cell, want: dict[str, dict]) -> list[str]:
    """Messages for the probes of one test cell that are missing, repeated or different ([] when right)."""
    got = emissions(cell)
    messages = []
    for key in sorted(want):
        spec = want[key]
        found = got.get(key, [])
        if not found:
            messages.append(f"{key} was not reported (the test stopped before it, or was changed)")
        elif len(found) > 1:
            messages.append(f"{key} was reported {len(found)} times")
        elif not same(spec["value"], found[0].get("value", _MISSING), float(spec.get("tol") or 0.0)):
            hint = spec.get("hint")
            messages.append(f"{key} differs from the expected value" + (f": {hint}" if hint else ""))
    return messages


def _zero_already(cell) -> bool:
    """nbgrader scores this cell 0 already: its first error, stderr or result output is an error/stderr."""
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "error" or (kind == "stream" and output.get("name") == "stderr"):
            return True
        if kind == "execute_result":
            return False
    return False


def judge(nb, expected: dict[str, dict[str, dict]]) -> dict[str, str]:
    """Apply the verdict to every graded test cell of `nb` (in place); grade_id -> "ok" or what failed."""
    record = {}
    for cell in nb.cells:
        grade_id = _grade_id(cell)
        want = expected.get(grade_id) if grade_id else None
        if not want:
            continue
        messages = problems_of(cell, want)
        if not messages:
            record[grade_id] = "ok"
            continue
        record[grade_id] = "; ".join(messages)
        text = f"[NOT YET] {messages[0]}" + (f" (and {len(messages) - 1} more)" if len(messages) > 1 else "")
        error = new_output("error", ename=ERROR_NAME, evalue=text, traceback=[f"{ERROR_NAME}: {text}"])
        if _zero_already(cell):  # the kernel's own message comes first; the cell scores 0 either way
            cell.outputs.append(error)
        else:  # first: nbgrader reads the first error or result, whatever else the kernel displayed
            cell.outputs.insert(0, error)
    return record
