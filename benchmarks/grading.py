"""Grading cost: seconds per submission, serial and in parallel, against running the solutions.

A class of `--students` students who each submit every solution notebook of the chosen assignments
(or only the notebooks named with `--notebooks`) is graded with each `--jobs` value; the same notebooks
are also executed once without the grader (fast mode). Prints seconds per submission (one student's
notebooks) and the ratio to the plain run, the seconds each run spent on the expected values (one
sandboxed run of each solution notebook, before the students; course.grading.verdict), which do not grow
with the class, and, per notebook, the grading seconds of each student's copy and its score (the
solutions: full marks).

The grader's kernels run with COURSE_FAST=1 and COURSE_GRADING=1 (course.env.grading_mode()), whatever
this shell sets: demonstration training runs at its grading size.

    python benchmarks/grading.py [--students 2] [--assignments chapter2 chapter3] [--jobs 1 2]
    python benchmarks/grading.py --students 1 --notebooks 07_trainer_api 08_full_training_loop --jobs 1
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


def _selected(paths: list[Path], assignments: list[str], notebooks: list[str] | None) -> list[Path]:
    chosen = [p for p in paths if p.parent.name in assignments]
    if notebooks:
        chosen = [p for p in chosen if any(name in p.stem for name in notebooks)]
    if not chosen:
        raise SystemExit(f"no solution notebook matches {assignments} / {notebooks}")
    return chosen


def _per_notebook(run) -> list[str]:
    rows = []
    for outcome in sorted(run.outcomes, key=lambda o: (o.submission.notebook, o.submission.student)):
        if outcome.status == "missing":
            continue
        s = outcome.submission
        rows.append(
            f"  {s.student:<10}{s.assignment}/{s.notebook:<32}{outcome.seconds:>8.1f} s "
            f"(kernel {outcome.execute_s:.1f} s)  {outcome.score:g}/{outcome.max_score:g}  {outcome.status}"
        )
    return rows


def main() -> None:
    from course.grading.grade import grade
    from course.notebooks import SOLUTIONS, execute, notebook_paths

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, default=2)
    parser.add_argument("--assignments", nargs="*", default=["chapter2", "chapter3"])
    parser.add_argument(
        "--notebooks", nargs="*", help="only the solution notebooks whose names contain these"
    )
    parser.add_argument("--jobs", nargs="*", type=int, default=[1, 2], help="grade once with each value")
    parser.add_argument(
        "--no-plain", action="store_true", help="skip the plain (ungraded) run of the notebooks"
    )
    args = parser.parse_args()
    paths = _selected(notebook_paths(SOLUTIONS), args.assignments, args.notebooks)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        plain = 0.0
        if not args.no_plain:
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
        for jobs in args.jobs:
            started = time.perf_counter()
            run = grade(submitted, scratch / f"graded-{jobs}", jobs=jobs, progress=False)
            rows.append((jobs, time.perf_counter() - started, run))
    names = ", ".join(p.stem for p in paths) if args.notebooks else ", ".join(args.assignments)
    print(f"{len(paths)} notebooks ({names}), {args.students} students", end="")
    print("" if args.no_plain else f"; running the solutions once takes {plain:.1f} s", end="\n\n")
    print(f"{'jobs':>4}{'total s':>9}{'s / submission':>16}{'x solutions run':>17}{'expected values s':>19}")
    for jobs, seconds, run in rows:
        per = seconds / args.students
        ratio = f"{per / plain:>16.2f}x" if plain else f"{'-':>17}"
        print(f"{jobs:>4}{seconds:>9.1f}{per:>16.1f}{ratio}{sum(run.references.values()):>19.1f}")
    for name, seconds in sorted(rows[0][2].references.items()):
        print(f"  expected values of {name}: {seconds:.1f} s (--jobs {rows[0][0]})")
    print(f"per notebook (--jobs {rows[0][0]}):")
    print("\n".join(_per_notebook(rows[0][2])))


if __name__ == "__main__":
    main()
