"""Steps 7 and 8 of `course grade`: the scores from the class gradebook, the run's notes, the reports.

`scores_into` reads every outcome's score back from the class gradebook; `notes` says what the run did
(solution runs, the cache, the cluster, the sandbox); `finish` returns the GradingRun and writes
OUT/scores.csv, report.html, feedback/, summary.txt and results.json (course.grading.report).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from course.grading import gradebook
from course.grading.collect import Outcome

if TYPE_CHECKING:
    from course.grading.cache import Cache
    from course.grading.dispatch import Dispatch
    from course.grading.job import Job


@dataclass
class GradingRun:
    out: Path
    outcomes: list[Outcome]
    notes: list[str]
    seconds: float
    failed: bool
    sandbox: dict | None = None  # uid_base, uids and cgroup_parent of the run's sandboxes (None: unsafe)
    references: dict = field(default_factory=dict)  # "assignment/notebook" -> seconds of its solution run
    executed: int = 0  # (student, notebook) tasks graded by this run
    cached: int = 0  # ... and taken from OUT/cache instead (unchanged since an earlier run)
    cluster: str | None = None  # the Dask address (--cluster), None: graded on this machine
    parent_s: float = 0.0  # seconds this process spent per result, in all: cache, merge (a serial cost)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def scores_into(job: Job) -> list[Outcome]:
    """Every outcome with its score and maximum from the class gradebook, by student and notebook."""
    table = gradebook.scores(job.master)
    maxima = gradebook.max_scores(job.master)
    for outcome in job.outcomes.values():
        s = outcome.submission
        outcome.score, outcome.max_score = table.get(
            (s.student, s.assignment, s.notebook), (0.0, maxima.get((s.assignment, s.notebook), 0.0))
        )
    return sorted(
        job.outcomes.values(),
        key=lambda o: (o.submission.student, o.submission.assignment, o.submission.notebook),
    )


def cache_note(dispatch: Dispatch, cache: Cache, earlier: dict | None) -> list[str]:
    """What the run took from OUT/cache (nothing to say on a first run)."""
    counts, cached_refs = dispatch.counts, dispatch.refs.cached
    if dispatch.job.settings.force:
        return [f"--force: all {counts['executed']} notebook(s) graded again ({cache.root} updated)"]
    if counts["cached"] or cached_refs or earlier is not None:
        resumed = earlier is not None and not earlier.get("finished")
        return [
            f"{'resumed an interrupted run' if resumed else 'incremental'}: {counts['executed']} notebook(s) "
            f"graded now, {counts['cached']} unchanged since an earlier run taken from {cache.root}"
            + (f" (and the expected values of {cached_refs})" if cached_refs else "")
            + "; --force regrades everything"
        ]
    return []


def sandbox_note(dispatch: Dispatch) -> list[str]:
    """How the kernels ran: unconfined, in this machine's sandboxes, or in the cluster workers'."""
    box, limits = dispatch.job.box, dispatch.job.settings.run_limits
    if limits is None:
        return ["UNSAFE: kernels ran without a sandbox (--unsafe-no-sandbox)"]
    if box is not None:
        from course.grading.cgroups import cgroups_work
        from course.grading.sandbox import describe

        cgroups = cgroups_work(box.cgroup_parent, box.limits)
        return [f"kernels ran in bubblewrap sandboxes: {describe(box.limits, cgroups)}"]
    if dispatch.counts["executed"]:
        from course.grading.sandbox import describe

        cgroups = dispatch.runner.cgroups == {True}
        return [f"kernels ran in bubblewrap sandboxes on the workers: {describe(limits, cgroups)}"]
    return []


def notes(dispatch: Dispatch, cache: Cache, earlier: dict | None) -> list[str]:
    """The run's notes, in the order the summary prints them."""
    lines = list(dispatch.job.batch.notes)
    seconds = dispatch.reference_seconds
    if seconds:
        lines.append(
            f"expected values: the solutions of {len(seconds)} notebook(s) ran once each, "
            f"{sum(seconds.values()):.1f} s in all"
        )
    lines += cache_note(dispatch, cache, earlier)
    lines += dispatch.problems[:1]
    if getattr(dispatch.runner, "address", None) is not None:
        lines.append(dispatch.runner.describe())
    return lines + sandbox_note(dispatch)


def sandbox_info(dispatch: Dispatch) -> dict | None:
    """The uids and cgroups the run's sandboxes used (results.json); None when unsafe."""
    box, limits = dispatch.job.box, dispatch.job.settings.run_limits
    if box is not None:
        count = len(dispatch.job.batch.submissions) + len(dispatch.refs.tasks)
        return {
            "uid_base": box.uid_base,
            "uids": [box.uid_base + i for i in range(count)],
            "cgroup_parent": box.cgroup_parent,
            "limits": box.limits,
        }
    if limits is not None:  # on a cluster: the workers chose the uids and cgroups
        return {"uid_base": None, "uids": [], "cgroup_parent": None, "limits": limits}
    return None


def finish(dispatch: Dispatch, cache: Cache, earlier: dict | None, started: float) -> GradingRun:
    """The GradingRun, with OUT's reports written and OUT/work removed (unless kept)."""
    from course.grading import report

    job, counts = dispatch.job, dispatch.counts
    ordered = scores_into(job)
    run = GradingRun(
        job.out,
        ordered,
        notes(dispatch, cache, earlier),
        round(time.perf_counter() - started, 2),
        failed=any(o.status == "error" for o in ordered),
        sandbox=sandbox_info(dispatch),
        references=dispatch.reference_seconds,
        executed=counts["executed"],
        cached=counts["cached"],
        cluster=getattr(dispatch.runner, "address", None),
        parent_s=round(counts["parent_s"], 2),
    )
    report.write_all(run, job.course)  # reads the intake copies of the submissions (in OUT/work)
    if not job.settings.keep_work:
        shutil.rmtree(job.out / "work", ignore_errors=True)
    return run
