"""The sandbox's cost per graded notebook: `course grade` with bubblewrap against --unsafe-no-sandbox.

Two measurements, each repeated `--rounds` times, alternating sandboxed and unsandboxed so that a
noisy machine hurts both alike, and reported as medians:

- kernel start: a sandboxed kernel (bwrap + setpriv + prlimit, IPC transport, the Hugging Face home
  mirrored) against a plain one, from start to the first kernel_info reply, then shut down;
- grading: one student's submission of the fixture assignment (tests/fixtures/grading, two notebooks
  of about 1 s each), or of the notebooks named with --notebooks (e.g. solutions/chapter3/08_*.ipynb,
  graded as their solution), per-notebook worker seconds; with the sandbox, its measured peaks
  (address space, resident memory, cgroup memory, threads) are printed too, to check the limits.

    python benchmarks/sandbox.py [--rounds 3] [--notebooks solutions/chapter3/08_full_training_loop.ipynb]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
FIXTURE = REPO / "tests" / "fixtures" / "grading" / "solutions"


async def _kernel_start(sandboxed: bool, view: dict, limits: dict, private: Path) -> float:
    from jupyter_client.manager import AsyncKernelManager

    from course.grading import sandbox

    started = time.perf_counter()
    if sandboxed:
        spec = {"view": view, "limits": limits, "uid": sandbox.run_uid_base(), "cgroups": []}
        km = sandbox.SandboxKernelManager(kernel_name="python3", spec=spec, private_dir=str(private))
    else:
        km = AsyncKernelManager(kernel_name="python3")
    await km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = km.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    seconds = time.perf_counter() - started
    client.stop_channels()
    await km.shutdown_kernel(now=True)
    if sandboxed:
        sandbox.sweep(spec["uid"])
    return seconds


def kernel_starts(rounds: int) -> dict[bool, list[float]]:
    from course.grading import sandbox
    from course.grading.grade import sandbox_limits

    staging = Path(tempfile.mkdtemp(prefix="course-sandbox-bench-"))
    try:
        view = sandbox.prepare_view(staging).as_dict()
        times: dict[bool, list[float]] = {True: [], False: []}
        for index in range(rounds):
            for sandboxed in (True, False):
                private = staging / f"k{index}-{int(sandboxed)}"
                times[sandboxed].append(
                    asyncio.run(_kernel_start(sandboxed, view, sandbox_limits(), private))
                )
        return times
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def gradings(rounds: int, notebooks: list[Path], jobs: int) -> dict[bool, list[dict]]:
    from course.grading.grade import grade

    work = Path(tempfile.mkdtemp(prefix="course-sandbox-bench-"))
    try:
        if notebooks:
            source = work / "source"
            for path in notebooks:
                (source / path.parent.name).mkdir(parents=True, exist_ok=True)
                shutil.copy(path, source / path.parent.name / path.name)
        else:
            source = FIXTURE
        submitted = work / "submitted" / "alice"
        shutil.copytree(source, submitted)
        runs: dict[bool, list[dict]] = {True: [], False: []}
        for index in range(rounds):
            for sandboxed in (True, False):
                run = grade(
                    work / "submitted",
                    work / f"out-{index}-{int(sandboxed)}",
                    jobs=jobs,
                    source_root=source,
                    progress=False,
                    sandbox=sandboxed,
                )
                runs[sandboxed].append(
                    {
                        o.submission.notebook: (o.seconds, o.score, o.max_score, o.usage)
                        for o in run.outcomes
                        if o.status == "graded"
                    }
                )
        return runs
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    from course.grading import sandbox

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--notebooks", nargs="*", type=Path, default=[], help="solution notebooks to grade")
    args = parser.parse_args()
    reason = sandbox.unavailable()
    if reason:
        sys.exit(f"no sandbox here: {reason}")
    print(f"{sandbox.version()}; {args.rounds} rounds, alternating")

    starts = kernel_starts(args.rounds)
    with_box, without = statistics.median(starts[True]), statistics.median(starts[False])
    print(
        f"kernel start to first reply: {with_box:.2f} s sandboxed, {without:.2f} s plain "
        f"(+{with_box - without:.2f} s per notebook)"
    )

    runs = gradings(args.rounds, [p.resolve() for p in args.notebooks], args.jobs)
    names = sorted(runs[True][0])
    total = {True: 0.0, False: 0.0}
    print(f"{'notebook':40} {'sandboxed':>10} {'unsafe':>10} {'ratio':>6}  score  sandbox peaks")
    for name in names:
        medians = {k: statistics.median(r[name][0] for r in runs[k] if name in r) for k in (True, False)}
        total[True] += medians[True]
        total[False] += medians[False]
        _, score, maximum, usage = runs[True][-1][name]
        peaks = ", ".join(f"{k} {v}" for k, v in usage.items())
        print(
            f"{name:40} {medians[True]:9.2f}s {medians[False]:9.2f}s {medians[True] / medians[False]:6.3f}"
            f"  {score:g}/{maximum:g}  {peaks}"
        )
    print(
        f"{'all':40} {total[True]:9.2f}s {total[False]:9.2f}s {total[True] / total[False]:6.3f}"
        "  (worker seconds per notebook: autograde + feedback)"
    )


if __name__ == "__main__":
    main()
