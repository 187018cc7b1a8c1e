"""`course grade`: autograde a folder of submissions, in parallel, into one consistent gradebook.

    OUT/nbgrader/        an nbgrader course directory: solutions/ (the source graded against),
                         notebooks/ (its release), submitted/, autograded/, feedback/, gradebook.db
                         and an nbgrader_config.py, so `nbgrader formgrader` can take over there
    OUT/scores.csv       student x notebook, with totals
    OUT/report.html      the class report: pass share and common failures per exercise, with a chart
    OUT/feedback/<student>/index.html   per-student feedback (links to nbgrader's per-notebook HTML)
    OUT/summary.txt      the summary table printed at the end
    OUT/logs/            one nbgrader log per graded notebook
    OUT/nbgrader/expected/<assignment>/<notebook>.json   the expected probe values (see below)
    OUT/cache/           graded results by content hash, kept between runs (course.grading.cache)

The steps, in order (`_grade`), each in its own module of course.grading:

    settings     Settings: the CLI's arguments and nbgrader_config.py's defaults, checked
    coursedir    OUT cleared of the last run's files; OUT/nbgrader with the source and its release
    tasks        the submissions found, and one private course directory per (student, notebook)
    expected     the expected values: restored from OUT/cache, or a solution run prepared
    dispatch     the cached tasks restored, the others run by a runner (runners: local or Dask)
    collect      each result merged into the class gradebook and folders
    summary      the scores read back from the gradebook, the run's notes, the reports (report)

Points are decided outside the students' kernels: before any student, each graded notebook's solution
runs once, through the same sandboxed execution, and what its hidden tests emit (course.grading.probe)
becomes the expected values; after a submission runs, the worker compares the probes its test cells
emitted with them (course.grading.verdict), and a test cell with a missing or different probe scores 0.
No kernel can read the expected values (they are in the output folder). A notebook whose solution
cannot provide them is not graded (a grader error), rather than graded without them.

Each (student, notebook) is graded by `python -m course.grading.worker` in its own process and its
own copy of the gradebook; the parent merges the results one at a time (course.grading.gradebook).
The worker runs nbgrader outside any sandbox; the student's kernel runs inside bubblewrap
(course.grading.sandbox), with a user of its own per task. When a task ends, the parent kills the
worker's process group and whatever still runs under the task's user or in its cgroups.

The same tasks run on Dask workers with `cluster=` (`--cluster ADDRESS`, course.grading.cluster): a task
travels as bytes, the worker runs the same `run_worker` step (course.grading.worker) in a sandbox it
prepares itself, and the results come back to this process, which alone writes OUT. Locally or on a
cluster, every run is incremental: a (student, notebook) whose submission, source notebook, grader and
settings are unchanged since an earlier run into OUT is taken from OUT/cache instead of being graded
again (`force=True` regrades everything; `resume=True` continues an interrupted run, and says so when
there is none). The class gradebook, scores and reports are rebuilt from all results by every run.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from course.grading import coursedir, dispatch, expected, summary, tasks
from course.grading.cache import Cache
from course.grading.collect import Outcome
from course.grading.config import SOURCE
from course.grading.runners import LocalRunner
from course.grading.sandbox_run import SandboxUnavailable, close_sandbox, open_sandbox, sandbox_limits
from course.grading.settings import Settings
from course.grading.summary import GradingRun
from course.notebooks import REPO

__all__ = ["GradingRun", "NothingToResume", "Outcome", "SandboxUnavailable", "grade", "sandbox_limits"]


class NothingToResume(RuntimeError):
    """--resume, and no earlier run in OUT."""


def grade(
    submissions_dir: Path,
    out: Path,
    *,
    jobs: int = 1,
    timeout: int | None = None,
    source_root: Path = REPO / SOURCE,
    scan: bool = True,
    progress: bool = True,
    keep_work: bool = False,
    sandbox: bool = True,
    limits: dict | None = None,
    cluster: str | None = None,
    force: bool = False,
    resume: bool = False,
) -> GradingRun:
    """Grade every submission under `submissions_dir` into `out` (see the module docstring).

    `sandbox=False` runs the kernels unconfined (trusted notebooks only); `limits` overrides
    nbgrader_config.py's c.Sandbox limits (memory_mb, total_memory_mb, processes, file_mb, cpu_s,
    scratch_mb). Raises SandboxUnavailable when a sandbox is wanted and bubblewrap cannot provide one.

    `cluster`: a Dask scheduler address or `local:N` (course.grading.cluster); the tasks then run on
    its workers, which sandbox the kernels themselves, and `jobs` is not used. Raises
    ClusterUnreachable when no scheduler answers there.

    Incremental: results unchanged since an earlier run into `out` come from OUT/cache
    (course.grading.cache); `force=True` regrades everything. `resume=True` continues an earlier
    (interrupted) run the same way, and raises NothingToResume when `out` holds none.
    """
    started = time.perf_counter()
    settings = Settings.build(
        submissions_dir,
        out,
        timeout=timeout,
        source_root=source_root,
        limits=limits,
        jobs=jobs,
        scan=scan,
        progress=progress,
        keep_work=keep_work,
        sandbox=sandbox,
        cluster=cluster,
        force=force,
        resume=resume,
    )
    cache = Cache(settings.out, limits=settings.run_limits, timeout=settings.timeout, scan=scan)
    if resume and cache.earlier_run() is None:
        raise NothingToResume(
            f"--resume: {settings.out} holds no earlier grading run to continue (no "
            f"{cache.root / 'run.json'}); run `course grade` without --resume to start one (it is "
            "incremental anyway)"
        )
    return _with_runner(settings, cache, started)


def _with_runner(settings: Settings, cache: Cache, started: float) -> GradingRun:
    """Grade with a runner (and this machine's sandbox, unless on a cluster), closed afterwards."""
    box = runner = None
    try:
        if settings.cluster:  # the workers sandbox the kernels; this process runs none
            from course.grading.runners import DaskRunner

            settings.out.mkdir(parents=True, exist_ok=True)
            runner = DaskRunner(
                settings.cluster,
                limits=settings.run_limits,
                local_directory=settings.out / "dask-worker-space",
            )
        else:
            box = open_sandbox(settings.limits) if settings.sandbox else None
            runner = LocalRunner(settings.jobs)
        run = _grade(settings, box, runner, cache, started)
    except BaseException:  # Ctrl-C included: no worker or kernel may outlive the command
        if runner is not None:
            runner.close(cancel=True)
        raise
    else:
        runner.close()
        return run
    finally:
        close_sandbox(box)
        if settings.cluster:
            shutil.rmtree(settings.out / "dask-worker-space", ignore_errors=True)


def _grade(settings: Settings, box, runner, cache: Cache, started: float) -> GradingRun:
    """The grading steps, in order; each is its own module."""
    coursedir.clear_output(settings.out)
    earlier = cache.earlier_run()
    cache.sweep_temporary()
    course, notebooks_of = coursedir.prepare_course(settings.out, settings.source_root)
    job = tasks.start_job(settings, course, notebooks_of, box)
    tasks.prepare_tasks(job)
    cache.begin(settings.submissions_dir, len(job.tasks))
    lookup = dispatch.look_up(job, cache)
    references = expected.plan_references(job, cache, lookup.todo)
    run = dispatch.Dispatch(job, runner, cache, lookup, references)
    run.run()
    cache.finish(executed=run.counts["executed"], cached=run.counts["cached"])
    return summary.finish(run, cache, earlier, started)
