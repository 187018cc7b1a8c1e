"""Grading cost: seconds per submission, serial and in parallel, against running the solutions.

A class of `--students` students who each submit every solution notebook of the chosen assignments
is graded with --jobs 1 and with --jobs 2; the same notebooks are also executed once without the
grader. Prints seconds per submission (one student's notebooks) and the ratio to the plain run, and
the seconds each run spent on the expected values (one sandboxed run of each solution notebook, before
the students; course.grading.verdict), which do not grow with the class.

    python benchmarks/grading.py [--students 2] [--assignments chapter2 chapter3]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    from course.grading.grade import grade
    from course.notebooks import SOLUTIONS, execute, notebook_paths

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=2)
    parser.add_argument("--assignments", nargs="*", default=["chapter2", "chapter3"])
    args = parser.parse_args()
    paths = [p for p in notebook_paths(SOLUTIONS) if p.parent.name in args.assignments]
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for path in paths:  # execute copies: the solutions in the repo stay untouched
            target = scratch / "plain" / path.parent.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
        plain = sum(execute(p, fast=True) for p in sorted((scratch / "plain").glob("*/*.ipynb")))
        submitted = scratch / "submitted"
        for student in range(args.students):
            for path in paths:
                target = submitted / f"student{student}" / path.parent.name / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)
        rows = []
        for jobs in (1, 2):
            started = time.perf_counter()
            run = grade(submitted, scratch / f"graded-{jobs}", jobs=jobs, progress=False)
            seconds = time.perf_counter() - started
            rows.append((jobs, seconds, run))
    print(
        f"{len(paths)} notebooks ({', '.join(args.assignments)}), {args.students} students; "
        f"running the solutions once takes {plain:.1f} s\n"
    )
    print(f"{'jobs':>4}{'total s':>9}{'s / submission':>16}{'x solutions run':>17}{'expected values s':>19}")
    for jobs, seconds, run in rows:
        per = seconds / args.students
        expected = sum(run.references.values())
        print(f"{jobs:>4}{seconds:>9.1f}{per:>16.1f}{per / plain:>16.2f}x{expected:>19.1f}")
    for name, seconds in sorted(rows[0][2].references.items()):
        print(f"  expected values of {name}: {seconds:.1f} s (--jobs 1)")


if __name__ == "__main__":
    main()
