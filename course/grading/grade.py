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

The same tasks run on Dask workers with `cluster=` (`--cluster ADDRESS`, course.grading.cluster): a
task travels as bytes, the worker runs the same `run_worker` step in a sandbox it prepares itself,
and the results come back to this process, which alone writes OUT. Locally or on a cluster, every run
is incremental: a (student, notebook) whose submission, source notebook, grader and settings are
unchanged since an earlier run into OUT is taken from OUT/cache instead of being graded again
(`force=True` regrades everything; `resume=True` continues an interrupted run, and says so when there
is none). The class gradebook, scores and reports are rebuilt from all results by every run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from course.grading import gradebook
from course.grading.config import RELEASE, SOURCE, assignments, default_timeout, load_config, run_converter
from course.grading.release import IGNORE, normalise
from course.grading.submissions import Submission, discover, prescreen
from course.grading.worker import EXPECTED, RESULT
from course.notebooks import REPO

RUNNING: set[subprocess.Popen] = set()  # worker processes, to stop on Ctrl-C
OWNED = ("nbgrader", "work", "logs", "feedback", "scores.csv", "report.html", "summary.txt", "results.json")


class SandboxUnavailable(RuntimeError):
    """Untrusted notebooks, and no sandbox to run them in."""


def unsafe_refusal(reason: str) -> str:
    return (
        f"refusing to run students' code without a sandbox: {reason}. Install bubblewrap "
        "(`apt-get install bubblewrap`; `course doctor` checks it), or grade inside a disposable "
        "container without network (e.g. `docker run --rm --network none ...`). "
        "`--unsafe-no-sandbox` runs the kernels with the grader's own rights: only for notebooks you trust."
    )


@dataclass
class SandboxRun:
    """The sandbox settings of one grading run (None of it when --unsafe-no-sandbox)."""

    view: dict
    limits: dict
    uid_base: int
    cgroup_parent: str
    staging: Path

    def spec(self, index: int) -> dict:
        from course.grading.sandbox import task_uid

        return {
            "view": self.view,
            "limits": self.limits,
            "uid": task_uid(index, self.uid_base),
            "cgroups": [],
        }


def sandbox_limits(overrides: dict | None = None) -> dict:
    """nbgrader_config.py's c.Sandbox limits, with `overrides` (None values ignored) on top."""
    from course.grading.sandbox import LIMIT_NAMES, Sandbox

    limits = Sandbox(config=load_config(REPO)).limits()
    for name, value in (overrides or {}).items():
        if name not in LIMIT_NAMES:
            raise ValueError(f"unknown sandbox limit {name!r} (known: {', '.join(LIMIT_NAMES)})")
        if value is not None:
            if int(value) <= 0:
                raise ValueError(f"sandbox limit {name} must be positive, not {value}")
            limits[name] = int(value)
    return limits


def open_sandbox(limits: dict, base: Path | None = None) -> SandboxRun:
    """The sandbox settings of a run (its staging folder in `base`, default the system's temp folder)."""
    from course.grading import sandbox

    reason = sandbox.unavailable()
    if reason:
        raise SandboxUnavailable(unsafe_refusal(reason))
    staging = Path(tempfile.mkdtemp(prefix="course-sandbox-", dir=base))  # 0700: other users see nothing
    view = sandbox.prepare_view(staging)
    base = sandbox.run_uid_base()
    box = SandboxRun(view.as_dict(), limits, base, f"course-grading-{base}", staging)
    sandbox.cgroups_work(box.cgroup_parent, limits)  # tried once, here, before workers run in threads
    return box


def close_sandbox(run: SandboxRun | None) -> None:
    if run is None:
        return
    from course.grading.sandbox import remove_cgroup_parent

    remove_cgroup_parent(run.cgroup_parent)
    shutil.rmtree(run.staging, ignore_errors=True)


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


def prepare_course(out: Path, source_root: Path) -> tuple[Path, dict[str, list[str]]]:
    """OUT/nbgrader with the source, its release and a gradebook that knows every assignment."""
    from nbgrader.converters import GenerateAssignment

    course = out / "nbgrader"
    names = assignments(source_root)
    if not names:
        raise RuntimeError(f"no assignments (folders with notebooks) under {source_root}")
    for name in names:
        shutil.copytree(source_root / name, course / SOURCE / name, ignore=IGNORE)
    config = load_config(course)
    for name in names:
        run_converter(GenerateAssignment, config, assignment_id=name)
    for notebook in (course / RELEASE).glob("*/*.ipynb"):
        normalise(notebook)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig({str(REPO / 'nbgrader_config.py')!r})  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(course.resolve())!r}\n"
    )
    expected = {name: sorted(p.stem for p in (source_root / name).glob("*.ipynb")) for name in names}
    return course, expected


def expected_path(course: Path, assignment: str, notebook: str) -> Path:
    """Where a notebook's expected probe values are kept (in the output folder: no sandbox sees it)."""
    return course / "expected" / assignment / f"{notebook}.json"


def probed(source: Path) -> bool:
    """True when a test cell of the instructor's notebook emits probes (so it needs a reference run)."""
    import nbformat

    from course.grading.verdict import PROBE_CALL, _grade_id

    notebook = nbformat.read(source, as_version=4)
    return any(_grade_id(c) and PROBE_CALL in c.source for c in notebook.cells)


def prepare_reference(
    out: Path, course: Path, assignment: str, notebook: str, timeout: int, sandbox: dict | None
) -> Path:
    """A task folder in which the worker runs the solution notebook for its expected probe values."""
    task = out / "work" / "_reference" / assignment / notebook
    task.mkdir(parents=True)
    spec = {
        "mode": "reference",
        "course_dir": str(task.resolve()),
        "assignment": assignment,
        "notebook": notebook,
        "source": str((course / SOURCE / assignment / f"{notebook}.ipynb").resolve()),
        "timeout": timeout,
        "sandbox": sandbox,
    }
    (task / "task.json").write_text(json.dumps(spec))
    os.chmod(task, 0o700)
    return task


def _task_dir(out: Path, sub: Submission) -> Path:
    return out / "work" / sub.student / sub.assignment / sub.notebook


def prepare_task(
    out: Path,
    course: Path,
    sub: Submission,
    template_db: Path,
    timeout: int,
    scan: bool,
    sandbox: dict | None = None,
    expected: Path | None = None,
) -> Path | None:
    """A private nbgrader course directory for one (student, notebook); None if not gradable."""
    task = _task_dir(out, sub)
    submitted = task / "submitted" / sub.student / sub.assignment / f"{sub.notebook}.ipynb"
    if not prescreen(sub, submitted, course / RELEASE / sub.assignment / f"{sub.notebook}.ipynb"):
        return None
    if sub.timestamp is not None:
        shutil.copy(sub.timestamp, submitted.parent / "timestamp.txt")
    shutil.copy(template_db, task / "gradebook.db")
    (task / SOURCE).mkdir(parents=True, exist_ok=True)
    os.symlink((course / SOURCE / sub.assignment).resolve(), task / SOURCE / sub.assignment)
    spec = {
        "course_dir": str(task.resolve()),
        "assignment": sub.assignment,
        "student": sub.student,
        "notebook": sub.notebook,
        "timeout": timeout,
        "scan": scan,
        "sandbox": sandbox,
        "expected": str(expected) if expected else None,
    }
    (task / "task.json").write_text(json.dumps(spec))
    os.chmod(task, 0o700)  # the task's files (its gradebook, the connection files) are the grader's alone
    return task


def _kill(process: subprocess.Popen) -> None:
    """Kill a worker and its kernel: the process group it leads (it was started in its own session)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def run_worker(task: Path, log: Path, hard_limit: float, threads: int) -> dict:
    """Run one task's worker; afterwards nothing it started may live (see `_run_worker`)."""
    spec = json.loads((task / "task.json").read_text())
    sandbox = spec.get("sandbox")
    if sandbox:
        from course.grading.sandbox import make_cgroups

        parent = sandbox.pop("cgroup_parent", "")
        sandbox["cpus"] = threads  # its CPU quota: the machine's CPUs shared between the jobs
        sandbox["cgroups"] = (
            make_cgroups(f"{parent}/{sandbox['uid']}", sandbox["limits"], threads) if parent else []
        )
        (task / "task.json").write_text(json.dumps(spec))
    try:
        result = _run_worker(task, log, hard_limit, threads)
    finally:
        if sandbox:
            from course.grading.sandbox import cgroup_peak_mb, sweep

            peak = cgroup_peak_mb(sandbox["cgroups"])
            left = sweep(sandbox["uid"] if os.geteuid() == 0 else None, sandbox["cgroups"])
    if sandbox:
        if left:
            result["leftovers"] = len(left)
        if peak is not None:
            result.setdefault("sandbox_usage", {})["cgroup_peak_mb"] = peak
    return result


def _run_worker(task: Path, log: Path, hard_limit: float, threads: int) -> dict:
    """Run the worker process for one task; kill its whole process group past `hard_limit` seconds."""
    env = dict(os.environ)
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(variable, str(threads))
    env.setdefault("PYTHONUNBUFFERED", "1")
    started = time.perf_counter()
    with open(log, "w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "course.grading.worker", str(task / "task.json")],
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=task,
            env=env,
            start_new_session=True,
        )
        RUNNING.add(process)
        try:
            process.wait(timeout=hard_limit)
        except subprocess.TimeoutExpired:
            _kill(process)
            return {
                "status": "killed",
                "seconds": round(time.perf_counter() - started, 2),
                "error": f"grading this notebook took over {hard_limit:.0f} s; its process was killed",
            }
        finally:
            RUNNING.discard(process)
            _kill(process)  # whatever the worker left in its process group
    try:
        return json.loads((task / RESULT).read_text())
    except (OSError, ValueError):
        return {
            "status": "error",
            "seconds": round(time.perf_counter() - started, 2),
            "error": f"the worker exited with code {process.returncode} without a result (see {log})",
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


class LocalRunner:
    """Runs tasks in worker processes on this machine, `jobs` at a time (see cluster.DaskRunner)."""

    def __init__(self, jobs: int):
        self.jobs = max(1, int(jobs))
        self.threads = max(1, (os.cpu_count() or 1) // self.jobs)
        self.pool = ThreadPoolExecutor(max_workers=self.jobs)

    def capacity(self) -> int:
        return 1 << 30  # the pool's queue holds paths only

    def submit(self, kind: str, name: str, task: Path, log: Path, hard_limit: float):
        return self.pool.submit(run_worker, task, log, hard_limit, self.threads)

    def receive(self, future, task: Path, log: Path) -> dict:
        return future.result()

    def close(self, cancel: bool = False) -> None:
        if cancel:  # Ctrl-C: no worker or kernel may outlive the command
            self.pool.shutdown(wait=False, cancel_futures=True)
            for process in list(RUNNING):
                _kill(process)
        else:
            self.pool.shutdown()


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
    from course.grading.cache import Cache

    started = time.perf_counter()
    # Absolute paths: workers run in their task folders (a relative --out used to break every task).
    out, submissions_dir = Path(out).resolve(), Path(submissions_dir).resolve()
    if not submissions_dir.is_dir():
        raise FileNotFoundError(f"no submissions folder at {submissions_dir}")
    if force and resume:
        raise ValueError("--force regrades everything, --resume continues a run: give one of them")
    timeout = int(timeout or default_timeout())
    run_limits = sandbox_limits(limits)
    cache = Cache(out, limits=run_limits if sandbox else None, timeout=timeout, scan=scan)
    if resume and cache.earlier_run() is None:
        raise NothingToResume(
            f"--resume: {out} holds no earlier grading run to continue (no {cache.root / 'run.json'}); "
            "run `course grade` without --resume to start one (it is incremental anyway)"
        )
    box = runner = None
    try:
        if cluster:  # the workers sandbox the kernels; this process runs none
            from course.grading.cluster import DaskRunner

            out.mkdir(parents=True, exist_ok=True)
            runner = DaskRunner(
                cluster, limits=run_limits if sandbox else None, local_directory=out / "dask-worker-space"
            )
        else:
            box = open_sandbox(run_limits) if sandbox else None
            runner = LocalRunner(jobs)
        run = _grade(
            submissions_dir,
            out,
            timeout,
            Path(source_root).resolve(),
            scan,
            progress,
            keep_work,
            box,
            runner,
            cache,
            force,
            run_limits if sandbox else None,
            started,
        )
    except BaseException:  # Ctrl-C included: no worker or kernel may outlive the command
        if runner is not None:
            runner.close(cancel=True)
        raise
    else:
        runner.close()
        return run
    finally:
        close_sandbox(box)
        if cluster:
            shutil.rmtree(out / "dask-worker-space", ignore_errors=True)


def _grade(
    submissions_dir,
    out,
    timeout,
    source_root,
    scan,
    progress,
    keep_work,
    box,
    runner,
    cache,
    force,
    limits,
    started,
):
    from tqdm.auto import tqdm

    from course.grading import report

    out.mkdir(parents=True, exist_ok=True)
    for name in OWNED:  # only what an earlier run of this command wrote (OUT/cache stays)
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    earlier = cache.earlier_run()
    cache.sweep_temporary()
    course, notebooks_of = prepare_course(out, Path(source_root))
    batch = discover(submissions_dir, notebooks_of, out / "work" / "intake")  # copies, never links
    master = course / "gradebook.db"
    template = out / "work" / "template.db"
    template.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(master, template)
    gradebook.ensure_students(master, batch.students)
    (out / "logs").mkdir(exist_ok=True)

    outcomes = {s.key: Outcome(s, problems=list(s.intake)) for s in batch.submissions}
    probed_notebooks = {
        (a, n)
        for a, names in notebooks_of.items()
        for n in names
        if probed(Path(source_root) / a / f"{n}.ipynb")
    }

    def source_of(assignment: str, notebook: str) -> Path:
        return Path(source_root) / assignment / f"{notebook}.ipynb"

    def sandbox_spec(index: int) -> dict | None:
        if box is not None:
            spec = box.spec(index)
            spec["cgroup_parent"] = box.cgroup_parent
            return spec
        return None  # unsafe, or on a cluster (each worker fills in its own sandbox)

    tasks: list[tuple[Submission, Path]] = []
    for index, sub in enumerate(batch.submissions):
        key = (sub.assignment, sub.notebook)
        wanted = expected_path(course, *key) if key in probed_notebooks else None
        try:  # whatever one submission does to its preparation is that submission's problem
            task = prepare_task(out, course, sub, template, timeout, scan, sandbox_spec(index), wanted)
        except Exception as error:  # noqa: BLE001
            task, sub.problem = None, f"could not be prepared for grading ({type(error).__name__})"
        if task is None:
            outcome = outcomes[sub.key]
            outcome.status = "missing" if sub.problem.startswith("missing") else "invalid"
            outcome.problems.append(f"{sub.problem} -> 0 points")
            gradebook.record_zero(master, sub.assignment, sub.student, sub.notebook, sub.problem)
        else:
            tasks.append((sub, task))
    cache.begin(submissions_dir, len(tasks))

    # Incremental: what an earlier run graded from the same bytes with the same grader is not run again.
    task_keys = {sub.key: cache.task_key(sub, source_of(sub.assignment, sub.notebook)) for sub, _ in tasks}
    hits = {}
    looked_up = time.perf_counter()
    if not force:
        for sub, _ in tasks:
            entry = cache.load("tasks", task_keys[sub.key])
            if entry is not None:
                hits[sub.key] = entry
    todo = [(sub, task) for sub, task in tasks if sub.key not in hits]

    code_cells = {}
    for sub, _ in tasks:
        key = (sub.assignment, sub.notebook)
        if key not in code_cells:
            import nbformat

            nb = nbformat.read(source_of(*key), as_version=4)
            code_cells[key] = sum(c.cell_type == "code" for c in nb.cells)
    # One reference run per probed notebook that someone submitted and that is not cached (nor are
    # all of its students); its students wait for it.
    references: dict[tuple[str, str], Path] = {}
    reference_keys: dict[tuple[str, str], str] = {}
    references_cached = 0
    for key in sorted({(s.assignment, s.notebook) for s, _ in tasks} & probed_notebooks):
        reference_keys[key] = cache.reference_key(*key, source_of(*key))
        entry = None if force else cache.load("references", reference_keys[key])
        if entry is not None and EXPECTED in entry["files"]:
            target = expected_path(course, *key)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(entry["files"][EXPECTED])
            references_cached += 1
        elif any((s.assignment, s.notebook) == key for s, _ in todo):
            index = len(batch.submissions) + len(references)
            references[key] = prepare_reference(out, course, *key, timeout, sandbox_spec(index))
    waiting: dict[tuple[str, str], list[tuple[Submission, Path]]] = {key: [] for key in references}
    reference_seconds: dict[str, float] = {}
    counts = {"executed": 0, "cached": 0, "parent_s": time.perf_counter() - looked_up}
    problems: list[str] = []

    bar = tqdm(total=len(tasks), desc="grading", unit="notebook", disable=not progress, file=sys.stderr)
    pending: dict = {}
    queue: deque[tuple] = deque()  # (kind, what, task): submitted when the runner has room

    def log_of(kind: str, what) -> Path:
        if kind == "reference":
            return out / "logs" / f"_reference__{what[0]}__{what[1]}.log"
        return out / "logs" / f"{what.student}__{what.assignment}__{what.notebook}.log"

    def submit(kind: str, what, task: Path) -> None:
        key = (what.assignment, what.notebook) if kind == "task" else what
        hard_limit = timeout * (code_cells[key] + 2) + 120
        name = what.key if kind == "task" else "/".join(what)
        pending[runner.submit(kind, name, task, log_of(kind, what), hard_limit)] = (kind, what, task)

    def fill() -> None:
        room = runner.capacity() - len(pending)
        while queue and room > 0:
            submit(*queue.popleft())
            room -= 1

    def store(kind: str, key: str, task: Path, result: dict, log: Path, parts) -> None:
        from course.grading.cache import folder_files

        try:
            text = log.read_text(errors="replace") if log.is_file() else ""
            cache.store(kind, key, result, folder_files(task, parts), text)
        except OSError as error:  # the grade stands; the next run grades this one again
            problems.append(
                f"could not write OUT/cache ({error}); those notebooks are graded again next time"
            )

    def finish(sub: Submission, task: Path, result: dict, cached: bool = False) -> None:
        from course.grading.cache import TASK_PARTS

        begun = time.perf_counter()
        if not cached and result.get("status") == "graded":
            store("tasks", task_keys[sub.key], task, result, log_of("task", sub), TASK_PARTS)
        outcomes[sub.key].cached = cached
        try:
            collect_task(out, course, sub, task, result, outcomes[sub.key])
        except Exception as error:  # noqa: BLE001
            outcomes[sub.key].status = "error"
            outcomes[sub.key].problems.append(f"GRADER ERROR while merging: {type(error).__name__}: {error}")
        counts["parent_s"] += time.perf_counter() - begun
        bar.set_postfix_str(f"{sub.student}/{sub.notebook}", refresh=False)
        bar.update(1)

    from course.grading.cache import write_files

    for sub, task in tasks:  # the unchanged ones first: restored, merged, no kernel
        entry = hits.get(sub.key)
        if entry is not None:
            begun = time.perf_counter()
            write_files(task, entry["files"])
            log_of("task", sub).write_text(
                "[restored from OUT/cache: the log of the run that graded it]\n" + entry["log"]
            )
            counts["parent_s"] += time.perf_counter() - begun
            counts["cached"] += 1
            finish(sub, task, entry["result"], cached=True)

    try:
        for key, task in references.items():  # first in the queue
            queue.append(("reference", key, task))
        for sub, task in todo:
            key = (sub.assignment, sub.notebook)
            if key in references:
                waiting[key].append((sub, task))
            else:
                queue.append(("task", sub, task))
        fill()
        while pending:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in done:
                kind, what, task = pending.pop(future)
                try:
                    result = runner.receive(future, task, log_of(kind, what))
                except Exception as error:  # noqa: BLE001 - one task's trouble must not stop the batch
                    result = {"status": "error", "error": f"{type(error).__name__}: {error}"}
                if kind == "task":
                    counts["executed"] += 1
                    finish(what, task, result)
                    continue
                reference_seconds["/".join(what)] = float(result.get("seconds", 0.0))
                if result.get("status") == "graded" and (task / EXPECTED).is_file():
                    store("references", reference_keys[what], task, result, log_of(kind, what), (EXPECTED,))
                    target = expected_path(course, *what)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(task / EXPECTED, target)
                    queue.extend(("task", sub, student_task) for sub, student_task in waiting.pop(what))
                    continue
                failure = {
                    "status": "error",
                    "error": "the solution notebook could not provide the expected values "
                    f"(see logs/_reference__{what[0]}__{what[1]}.log): {result.get('error', '?')}",
                }
                for sub, student_task in waiting.pop(what):
                    finish(sub, student_task, failure)
            fill()
    finally:  # on Ctrl-C, grade() stops the workers (runner.close(cancel=True))
        bar.close()
    cache.finish(executed=counts["executed"], cached=counts["cached"])

    table = gradebook.scores(master)
    maxima = gradebook.max_scores(master)
    for outcome in outcomes.values():
        s = outcome.submission
        outcome.score, outcome.max_score = table.get(
            (s.student, s.assignment, s.notebook), (0.0, maxima.get((s.assignment, s.notebook), 0.0))
        )
    ordered = sorted(
        outcomes.values(),
        key=lambda o: (o.submission.student, o.submission.assignment, o.submission.notebook),
    )
    notes = list(batch.notes)
    if reference_seconds:
        notes.append(
            f"expected values: the solutions of {len(reference_seconds)} notebook(s) ran once each, "
            f"{sum(reference_seconds.values()):.1f} s in all"
        )
    if force:
        notes.append(f"--force: all {counts['executed']} notebook(s) graded again ({cache.root} updated)")
    elif counts["cached"] or references_cached or earlier is not None:
        resumed = earlier is not None and not earlier.get("finished")
        notes.append(
            f"{'resumed an interrupted run' if resumed else 'incremental'}: {counts['executed']} notebook(s) "
            f"graded now, {counts['cached']} unchanged since an earlier run taken from {cache.root}"
            + (f" (and the expected values of {references_cached})" if references_cached else "")
            + "; --force regrades everything"
        )
    notes += problems[:1]
    cluster_address = getattr(runner, "address", None)
    if cluster_address is not None:
        notes.append(runner.describe())
    if limits is None:
        notes.append("UNSAFE: kernels ran without a sandbox (--unsafe-no-sandbox)")
    elif box is not None:
        from course.grading.sandbox import cgroups_work, describe

        cgroups = cgroups_work(box.cgroup_parent, box.limits)
        notes.append(f"kernels ran in bubblewrap sandboxes: {describe(box.limits, cgroups)}")
    elif counts["executed"]:
        from course.grading.sandbox import describe

        cgroups = runner.cgroups == {True}
        notes.append(f"kernels ran in bubblewrap sandboxes on the workers: {describe(limits, cgroups)}")
    info = None
    if box is not None:
        info = {
            "uid_base": box.uid_base,
            "uids": [box.uid_base + i for i in range(len(batch.submissions) + len(references))],
            "cgroup_parent": box.cgroup_parent,
            "limits": box.limits,
        }
    elif limits is not None:  # on a cluster: the workers chose the uids and cgroups
        info = {"uid_base": None, "uids": [], "cgroup_parent": None, "limits": limits}
    run = GradingRun(
        out,
        ordered,
        notes,
        round(time.perf_counter() - started, 2),
        failed=any(o.status == "error" for o in ordered),
        sandbox=info,
        references=reference_seconds,
        executed=counts["executed"],
        cached=counts["cached"],
        cluster=cluster_address,
        parent_s=round(counts["parent_s"], 2),
    )
    report.write_all(run, course)  # reads the intake copies of the submissions (in OUT/work)
    if not keep_work:
        shutil.rmtree(out / "work", ignore_errors=True)
    return run
