"""Grading on Dask workers: measured throughput with 1 and 2 workers here, and a scaling estimate.

A class of `--students` students who each submit every solution notebook of the chosen assignments
(the real course notebooks, fast mode as in CI) is graded with `course grade --cluster` on a
LocalCluster of 1, then 2, single-threaded workers. A first run (2 workers) computes the solutions'
expected values; the measured runs reuse them from its cache (they do not grow with the class), so
they time the students' notebooks only. Dask's task stream gives each task's time on its worker;
the parent's own time per result (caching it, merging it into the class gradebook) is a serial cost
that no number of workers divides. A last run, with nothing changed, is timed too.

From those per-notebook costs it estimates the time to grade 1,000 students x the notebooks on N
workers, assuming: each worker grades one notebook at a time on cores of its own as fast as one
worker here (one core, one torch thread: a worker with more cores makes the training notebooks
faster, which this ignores); the scheduler's overhead per task and the transfer of a task (about
100-200 kB each way) as measured here; the parent merges results one at a time.

    python benchmarks/cluster.py [--students 1] [--assignments chapter2 chapter3] [--workers 1 2]
    python benchmarks/cluster.py --source tests/fixtures/grading/solutions --assignments fixture  # tiny
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CLASS = 1000
SCALE = (1, 2, 8, 32, 128)


def timed_run(grade, submitted: Path, out: Path, workers: int, source: Path) -> tuple[float, object, list]:
    """Grade on a new LocalCluster of `workers`; (wall seconds, the run, Dask's task stream)."""
    from distributed import Client, LocalCluster, get_task_stream

    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.CRITICAL,
    )
    client = Client(cluster, set_as_default=False)
    try:
        with get_task_stream(client=client) as stream:
            started = time.perf_counter()
            run = grade(submitted, out, cluster=cluster.scheduler_address, source_root=source, progress=False)
            seconds = time.perf_counter() - started
    finally:
        client.close()
        cluster.close()
    return seconds, run, stream.data


def task_costs(stream) -> dict[str, list[float]]:
    """notebook -> seconds each of its tasks spent computing on a worker (run_packed, end to end)."""
    costs: dict[str, list[float]] = defaultdict(list)
    for record in stream:
        key = str(record.get("key", ""))
        if not key.startswith("course-grade-task-"):
            continue
        notebook = key[len("course-grade-task-") :].rsplit("-", 1)[0].split("/")[-1]
        for step in record.get("startstops", []):
            if step.get("action") == "compute":
                costs[notebook].append(step["stop"] - step["start"])
    return costs


def main() -> None:
    from course.grading.grade import grade
    from course.notebooks import SOLUTIONS, notebook_paths

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, default=1)
    parser.add_argument("--assignments", nargs="*", default=["chapter2", "chapter3"])
    parser.add_argument("--workers", nargs="*", type=int, default=[1, 2])
    parser.add_argument(
        "--source",
        type=Path,
        default=SOLUTIONS,
        help="the instructor notebooks (default: solutions/; tests/fixtures/grading/solutions with "
        "--assignments fixture: the tiny fixture class)",
    )
    args = parser.parse_args()
    source = args.source.resolve()
    paths = [p for p in notebook_paths(source) if p.parent.name in args.assignments]
    if not paths:
        parser.error(f"no notebooks of {args.assignments} under {source}")
    per_student = len(paths)
    tasks = args.students * per_student
    with tempfile.TemporaryDirectory(prefix="course-bench-cluster-") as scratch:
        scratch = Path(scratch)
        submitted = scratch / "submitted"
        for student in range(args.students):
            for path in paths:
                target = submitted / f"student{student}" / path.parent.name / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)
        warm = scratch / "warm"
        seconds, run, _ = timed_run(grade, submitted, warm, 2, source)
        references = dict(run.references)
        print(
            f"first run (2 workers, expected values included): {seconds:.1f} s; "
            f"{len(references)} solution runs, {sum(references.values()):.1f} s in all"
        )
        rows, costs = [], {}
        for workers in args.workers:
            out = scratch / f"out-{workers}"
            shutil.copytree(warm / "cache" / "references", out / "cache" / "references")
            seconds, run, stream = timed_run(grade, submitted, out, workers, source)
            assert run.executed == tasks and not run.references, (run.executed, run.references)
            rows.append((workers, seconds, 60 * tasks / seconds))
            if workers == min(args.workers):
                costs, merge = task_costs(stream), run.parent_s / tasks
        rerun, run, _ = timed_run(grade, submitted, scratch / f"out-{min(args.workers)}", 1, source)
        assert run.cached == tasks and run.executed == 0

    print(
        f"\n{args.students} student(s) x {per_student} notebooks ({', '.join(args.assignments)}), "
        f"from {source.relative_to(REPO) if source.is_relative_to(REPO) else source}; "
        f"{os.cpu_count()} cores, "
        f"COURSE_FAST={os.environ.get('COURSE_FAST', '')}; measured runs exclude the expected values\n"
    )
    print(f"{'workers':>7}{'wall s':>9}{'notebooks/min':>15}{'speed-up':>10}")
    for workers, seconds, rate in rows:
        print(f"{workers:>7}{seconds:>9.1f}{rate:>15.2f}{rate / rows[0][2]:>9.2f}x")
    print(
        "\nper notebook, on one worker (Dask task time: process, kernel, autograde, feedback; "
        f"mean of {args.students})"
    )
    per_notebook = {name: statistics.mean(values) for name, values in sorted(costs.items())}
    for name, value in per_notebook.items():
        reference = next((s for key, s in references.items() if key.endswith(name)), 0.0)
        print(f"  {name:<32}{value:7.1f} s   (its solution run: {reference:.1f} s)")
    student = sum(per_notebook.values())
    wall_one = rows[0][1] / args.students
    overhead = max(0.0, (rows[0][1] - student * args.students) / tasks)
    print(
        f"  one student: {student:.1f} s of task time; {wall_one:.1f} s wall on 1 worker "
        f"(scheduling, transfer and setup: {overhead:.2f} s per notebook)"
    )
    print(f"  parent, per result: caching it and merging it into the class gradebook: {merge:.2f} s (serial)")
    print(f"  a rerun with nothing changed (every result from OUT/cache): {rerun:.1f} s")

    longest = max(per_notebook.values())
    solutions = sum(references.values())
    print(f"\nestimate: {CLASS} students x {per_student} notebooks = {CLASS * per_student} tasks")
    print(f"{'workers':>7}{'hours':>8}{'notebooks/min':>15}  bound by")
    for workers in SCALE:
        expected = max(max(references.values(), default=0.0), solutions / workers)
        compute = CLASS * (student + per_student * overhead) / workers
        parent = CLASS * per_student * merge
        total = expected + max(compute, parent) + longest
        bound = "workers" if compute >= parent else "the parent's merging"
        rate = 60 * CLASS * per_student / total
        print(f"{workers:>7}{total / 3600:>8.2f}{rate:>15.1f}  {bound}")
    print(
        "\nassumptions: every worker as fast as one here (one core per worker, one torch thread), one "
        "notebook at a time; overhead per task as measured; the parent merges serially at the measured "
        "rate; expected values once per notebook, spread over the workers; plus one longest notebook "
        "as the tail."
    )


if __name__ == "__main__":
    main()
