"""Step 6 of `course grade`: each finished task merged into the class gradebook and folders.

`collect_task` fills the submission's Outcome from its worker's result (scores, the problems a teacher
should see: tampering, dead kernels, timeouts, syntax errors, leftovers) and copies its submitted,
autograded and feedback files into OUT/nbgrader; only the parent does this, one task at a time.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from course.grading import gradebook
from course.grading.submissions import Submission


@dataclass
class Outcome:
    """What happened to one expected notebook of one student."""

    submission: Submission
    status: str = "graded"  # graded | missing | invalid | killed | error
    problems: list[str] = field(default_factory=list)
    tests: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    execute_s: float = 0.0
    score: float = 0.0
    max_score: float = 0.0
    usage: dict = field(default_factory=dict)  # the sandbox's measured peaks (course.grading.sandbox)
    cached: bool = False  # taken from OUT/cache (unchanged since an earlier run), not graded now

    def as_dict(self) -> dict:
        s = self.submission
        return {
            "student": s.student,
            "assignment": s.assignment,
            "notebook": s.notebook,
            "status": self.status,
            "problems": self.problems,
            "tests": self.tests,
            "seconds": self.seconds,
            "execute_s": self.execute_s,
            "score": self.score,
            "max_score": self.max_score,
            "sandbox_usage": self.usage,
            "cached": self.cached,
        }


def _problems_from(result: dict) -> list[str]:
    record = result.get("record", {})
    lines = []
    for finding in record.get("tamper", []):
        lines.append(
            f"tampering: cell {finding['cell']} line {finding['line']}: {finding['what']} "
            "-> no points, flagged for manual review"
        )
    for event in record.get("events", []):
        kind, cell = event["kind"], event["cell"]
        lines.append(
            {
                "kernel died": f"kernel died in cell {cell} (sys.exit/os._exit/exit()?); "
                "later cells not graded",
                "unstoppable": f"cell {cell} ignored the timeout's interrupt; later cells not run",
                "timeout": f"cell {cell} hit the per-cell timeout (infinite loop?)",
                "output truncated": f"cell {cell}: huge output truncated",
            }.get(kind, f"cell {cell}: {kind}")
        )
    notes = record.get("notes", [])
    if notes:
        shadowed = sorted({n["what"].rsplit(" ", 1)[-1] for n in notes})
        lines.append(f"note: shadows builtins {', '.join(shadowed)} (hidden while tests run)")
    return lines


def _syntax_errors(task: Path, sub: Submission) -> list[str]:
    """Answer cells that do not parse (their error shows in the answer cell, not in a test cell)."""
    import nbformat

    path = task / "autograded" / sub.student / sub.assignment / f"{sub.notebook}.ipynb"
    if not path.is_file():
        return []
    lines = []
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "error" and output.get("ename") in (
                "SyntaxError",
                "IndentationError",
            ):
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {index}")
                lines.append(f"syntax error in {grade_id}: {output.get('evalue', '')[:80]}")
    return lines


def collect_task(
    out: Path, course: Path, sub: Submission, task: Path, result: dict, outcome: Outcome
) -> None:
    """Merge a finished task into the class gradebook and the class folders; fill `outcome`."""
    master = course / "gradebook.db"
    outcome.seconds = float(result.get("seconds", 0.0))
    outcome.usage = result.get("sandbox_usage", {})
    if result.get("status") != "graded":
        outcome.status = result.get("status", "error")
        outcome.problems.append(
            f"{'grading killed' if outcome.status == 'killed' else 'GRADER ERROR'}: "
            f"{result.get('error', '?')}"
        )
        gradebook.record_zero(master, sub.assignment, sub.student, sub.notebook, outcome.problems[-1])
        return
    record = result.get("record", {})
    outcome.tests = result.get("tests", [])
    outcome.execute_s = float(record.get("execute_s", 0.0))
    if sub.notes:
        outcome.problems.append(
            f"nbgrader metadata edited in the submission, the release's put back: {'; '.join(sub.notes[:3])}"
            + (f" (+{len(sub.notes) - 3} more)" if len(sub.notes) > 3 else "")
        )
    outcome.problems += _syntax_errors(task, sub) + _problems_from(result)
    if result.get("feedback_error"):
        outcome.problems.append(
            f"no feedback for this notebook (the grade stands): {result['feedback_error']}"
        )
    if result.get("leftovers"):
        outcome.problems.append(f"{result['leftovers']} process(es) outlived the kernel and were killed")
    gradebook.merge(
        master,
        task / "gradebook.db",
        sub.assignment,
        sub.student,
        sub.notebook,
        flag=bool(record.get("tamper")),
    )
    for step in ("submitted", "autograded", "feedback"):
        folder = task / step / sub.student / sub.assignment
        if folder.is_dir():
            target = course / step / sub.student / sub.assignment
            target.mkdir(parents=True, exist_ok=True)
            for item in folder.iterdir():
                if item.is_file() and (item.suffix in (".ipynb", ".html") or item.name == "timestamp.txt"):
                    shutil.copy(item, target / item.name)
