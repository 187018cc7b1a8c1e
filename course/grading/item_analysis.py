"""The class report's numbers: difficulty, discrimination, failure messages and hints per exercise.

Everything here works on the rows of `OUT/results.json` (one dict per student and notebook, see
course.grading.report.class_rows), so `course report OUT` recomputes it without grading again.

- Difficulty: the share of students with full points on an exercise's graded test cell. A student
  whose notebook was missing or could not be graded counts as not passed.
- Discrimination: the point-biserial correlation between passing the exercise (0/1) and the rest of
  the student's score (their total minus that exercise's points), over the students who had the
  notebook to submit. It is Pearson's r with one variable binary. Undefined when everyone or no one
  passed, or when the rest of the score is the same for everyone; `n` says how many students it
  rests on (a handful of students give a noisy r).
- Failure messages: the graded test cells' first error lines ([NOT YET] / AssertionError / the
  verdict's ProbeMismatch text), most common first.
- Hints: how far each student went with each self-check, read from the hint records saved in the
  submitted notebook (course.checks.check). Information only: nothing here changes a score.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from pathlib import Path

from course.checks import HINTS_MIME

NOT_GRADED = ("missing", "invalid", "killed", "error")
LOW_DISCRIMINATION = (
    0.2  # below this, passing says little about the rest of the score (a common rule of thumb)
)
CHECK_CALL = re.compile(r"""course\.check\(\s*["']([^"']+)["']""")
MAX_LEVEL = 100


# --- discrimination ----------------------------------------------------------------------------------


def point_biserial(passed: list[bool], rest: list[float]) -> tuple[float | None, str]:
    """Pearson's r between passing (0/1) and the rest of the score; (None, why) when undefined."""
    n = len(passed)
    if n != len(rest):
        raise ValueError("one rest score per student")
    if n < 2:
        return None, "fewer than 2 students"
    if all(passed):
        return None, "everyone passed"
    if not any(passed):
        return None, "no one passed"
    xs = [1.0 if p else 0.0 for p in passed]
    mean_x, mean_y = sum(xs) / n, sum(rest) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in rest)
    if syy <= 1e-12:
        return None, "the rest of the score is the same for everyone"
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, rest))
    return sxy / math.sqrt(sxx * syy), ""


# --- the exercises -----------------------------------------------------------------------------------


def _notebook(row: dict) -> tuple[str, str]:
    return row["assignment"], row["notebook"]


def exercise_table(rows: list[dict]) -> list[dict]:
    """Per graded test cell (grade_id): points, students, passed, share, discrimination, failures.

    Each entry: assignment, notebook, exercise, points, students, passed, share, r (None when
    undefined), r_note, n, common [(message, count)], messages (Counter of all failure messages).
    """
    cells: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)  # notebook -> grade_id -> points
    for row in rows:
        for test in row.get("tests") or []:
            cells[_notebook(row)].setdefault(test["grade_id"], float(test["points"]))
    totals: dict[str, float] = defaultdict(float)
    for row in rows:
        totals[row["student"]] += float(row.get("score") or 0.0)
    table = []
    for key in sorted(cells):
        notebook_rows = sorted((r for r in rows if _notebook(r) == key), key=lambda r: r["student"])
        for grade_id, points in sorted(cells[key].items()):
            passed, rest, messages = [], [], Counter()
            for row in notebook_rows:
                test = next((t for t in row.get("tests") or [] if t["grade_id"] == grade_id), None)
                score = float(test["score"]) if test else 0.0
                ok = test is not None and score >= float(test["points"])
                passed.append(ok)
                rest.append(totals[row["student"]] - score)
                if ok:
                    continue
                if test is not None:
                    messages[test.get("message") or "no points (no message)"] += 1
                elif row.get("status") in NOT_GRADED:
                    problems = row.get("problems") or []
                    messages[f"not graded: {problems[0] if problems else row['status']}"[:120]] += 1
                else:
                    messages["no result for this test cell"] += 1
            r, note = point_biserial(passed, rest)
            table.append(
                {
                    "assignment": key[0],
                    "notebook": key[1],
                    "exercise": grade_id,
                    "points": points,
                    "students": len(passed),
                    "passed": sum(passed),
                    "share": sum(passed) / len(passed) if passed else 0.0,
                    "r": r,
                    "r_note": note,
                    "n": len(passed),
                    "messages": messages,
                    "common": messages.most_common(3),
                }
            )
    return table


# --- hints -------------------------------------------------------------------------------------------


def _valid_record(data) -> dict | None:
    """A hint record as course.checks.check writes it, or None (the file is the learner's: trust nothing)."""
    if not isinstance(data, dict):
        return None
    name, level, failures, passed = (data.get(k) for k in ("check", "hint_level", "failures", "passed"))
    if not (isinstance(name, str) and 0 < len(name) <= 200):
        return None
    if type(level) is not int or not 0 <= level <= MAX_LEVEL:
        return None
    if type(failures) is not int or failures < 0 or type(passed) is not bool:
        return None
    levels = data.get("levels")
    return {
        "check": name,
        "hint_level": level,
        "failures": failures,
        "passed": passed,
        "levels": levels if type(levels) is int and 0 <= levels <= MAX_LEVEL else None,
    }


def hint_records(notebook: dict) -> list[dict]:
    """The hint records saved in a notebook (plain JSON), one per check: how far the learner went.

    Several records of one check (the self-check ran more than once, or in several cells) combine:
    the highest hint level and failure count; `passed` from the record executed last (the highest
    execution count; else the last in the notebook).
    """
    found: dict[str, list[tuple[int, int, dict]]] = defaultdict(list)
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    for index, cell in enumerate(cells if isinstance(cells, list) else []):
        if not isinstance(cell, dict) or not isinstance(cell.get("outputs"), list):
            continue
        count = cell.get("execution_count")
        count = count if type(count) is int else -1
        for output in cell["outputs"]:
            if not isinstance(output, dict) or output.get("output_type") != "display_data":
                continue
            metadata = output.get("metadata")
            record = _valid_record(metadata.get(HINTS_MIME)) if isinstance(metadata, dict) else None
            if record:
                found[record["check"]].append((count, index, record))
    combined = []
    for name, entries in sorted(found.items()):
        last = max(entries, key=lambda e: (e[0], e[1]))[2]
        combined.append(
            {
                "check": name,
                "hint_level": max(e[2]["hint_level"] for e in entries),
                "failures": max(e[2]["failures"] for e in entries),
                "passed": last["passed"],
                "levels": last["levels"],
            }
        )
    return combined


def read_hint_records(path: Path, max_bytes: int = 200 * 1024 * 1024) -> list[dict]:
    """hint_records of a submitted notebook file; [] when it cannot be read."""
    try:
        if path.stat().st_size > max_bytes:
            return []
        return hint_records(json.loads(path.read_bytes()))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return []


def checks_of(release_notebook) -> list[tuple[str, str]]:
    """(check name, exercise) for each self-check in a released notebook, in order: the exercise is
    the grade_id of the first graded test cell after the self-check ("" when there is none)."""
    cells = release_notebook.get("cells", [])
    found = []
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        for name in CHECK_CALL.findall(cell.get("source", "")):
            exercise = ""
            for later in cells[index:]:
                meta = later.get("metadata", {}).get("nbgrader", {})
                if later.get("cell_type") == "code" and meta.get("grade") and not meta.get("solution"):
                    exercise = meta.get("grade_id", "")
                    break
            if name not in [n for n, _ in found]:
                found.append((name, exercise))
    return found


def hint_table(rows: list[dict], checks: dict[tuple[str, str], list[tuple[str, str]]]) -> list[dict]:
    """Per (notebook, check): how many students reached each hint level.

    `checks`: (assignment, notebook) -> [(check, exercise)] from the released notebooks (checks a
    record names that the release does not are added, with no exercise). Each entry: assignment,
    notebook, check, exercise, levels (how many the instructor wrote, from the records), students,
    recorded, by_level {level: students}, no_record, passed_self_check, mean_failures.
    """
    by_notebook: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        by_notebook[_notebook(row)].append(row)
    table = []
    for key in sorted(by_notebook):
        names = list(checks.get(key, []))
        for row in by_notebook[key]:
            for record in row.get("hints") or []:
                if record["check"] not in [n for n, _ in names]:
                    names.append((record["check"], ""))
        for name, exercise in names:
            levels, by_level, failures, passed = None, Counter(), [], 0
            for row in by_notebook[key]:
                record = next((h for h in row.get("hints") or [] if h["check"] == name), None)
                if record is None:
                    continue
                by_level[record["hint_level"]] += 1
                failures.append(record["failures"])
                passed += bool(record["passed"])
                levels = record.get("levels") if record.get("levels") is not None else levels
            recorded = sum(by_level.values())
            table.append(
                {
                    "assignment": key[0],
                    "notebook": key[1],
                    "check": name,
                    "exercise": exercise,
                    "levels": levels,
                    "students": len(by_notebook[key]),
                    "recorded": recorded,
                    "by_level": dict(sorted(by_level.items())),
                    "no_record": len(by_notebook[key]) - recorded,
                    "passed_self_check": passed,
                    "mean_failures": sum(failures) / len(failures) if failures else 0.0,
                }
            )
    return table


def level_counts(entry: dict, top: int = 2) -> list[int]:
    """Students at hint level 0, 1, ..., `top` (levels above `top` count as `top`)."""
    counts = [0] * (top + 1)
    for level, students in entry["by_level"].items():
        counts[min(level, top)] += students
    return counts
