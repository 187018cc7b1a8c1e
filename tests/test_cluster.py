"""`course grade --cluster`: the fixture class on Dask LocalClusters, and the results cache under OUT.

Each (student, notebook) is one Dask task; workers get the task as bytes and run the same sandboxed
step as the local path. The cache (course.grading.cache) makes every run incremental. About 90 s on
2 cores: fixture classes of 1-5 students (tests/fixtures/grading), a 5 s cell timeout; the solutions'
expected values are computed once (by the local run) and reused through the cache.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from course.grading.cache import PIN, Cache
from course.grading.grade import NothingToResume, grade

pytestmark = pytest.mark.grading

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "grading" / "solutions"
BASICS, WORDS = "01_basics", "02_words"
MIXED = ("perfect", "broken", "tamper")  # 5 gradable notebooks (a syntax error, tampering), 1 missing


@pytest.fixture(scope="module", autouse=True)
def pinned_grading_version():
    """Other people edit the checkout while tests run: pin the grading version (workers inherit it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(PIN, f"test-cluster-{uuid.uuid4().hex[:8]}")
        yield


def solution(name: str):
    return nbformat.read(FIXTURE / "fixture" / f"{name}.ipynb", as_version=4)


def write_class(root: Path, names) -> Path:
    """The named students of test_grading_fixture; any other name: a student with both solutions."""
    from test_grading_fixture import students

    from course.grading.release import build_release

    known = students(build_release(FIXTURE, root.parent / f"{root.name}-release"))
    for student in names:
        folder = root / student / "fixture"
        folder.mkdir(parents=True)
        notebooks = known.get(student) or {BASICS: solution(BASICS), WORDS: solution(WORDS)}
        for name, content in notebooks.items():
            path = folder / f"{name}.ipynb"
            path.write_text(content) if isinstance(content, str) else nbformat.write(content, path)
    return root


def scores(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "scores.csv") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def each_pair_once(out: Path) -> dict[str, list[str]]:
    """student -> the notebooks the class gradebook holds for them (a pair merged twice shows twice)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{out / 'nbgrader' / 'gradebook.db'}") as gb:
        return {
            s.id: sorted(n.name for sub in gb.find_student(s.id).submissions for n in sub.notebooks)
            for s in gb.students
        }


def grading_processes(marker: str, wait: float = 3.0) -> list[str]:
    """Command lines of live grading workers whose task lies under `marker` (a test's tmp folder), after
    waiting up to `wait` s for them to go (a worker notices within 0.5 s that its parent died)."""
    import psutil

    deadline = time.monotonic() + wait
    while True:
        found = []
        for process in psutil.process_iter(["cmdline", "status"]):
            line = " ".join(process.info["cmdline"] or [])
            if "course.grading.worker" in line and marker in line and process.info["status"] != "zombie":
                found.append(line)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    """The mixed fixture class graded on this machine (the reference for the cluster's scores)."""
    root = write_class(tmp_path_factory.mktemp("mixed") / "submitted", MIXED)
    out = tmp_path_factory.mktemp("local")
    run = grade(root, out, jobs=2, timeout=5, source_root=FIXTURE, progress=False)
    assert run.executed == 5 and run.cached == 0 and run.cluster is None
    return root, out, (out / "scores.csv").read_text()


def test_cluster_force_regrades_everything_with_the_local_scores(local_run, tmp_path):
    """--cluster local:2 on an OUT holding the local run's cache, with --force: every notebook runs again
    on the workers, and scores.csv is the local run's, byte for byte."""
    root, local_out, local_csv = local_run
    out = tmp_path / "out"
    shutil.copytree(local_out / "cache", out / "cache")
    run = grade(root, out, cluster="local:2", force=True, timeout=5, source_root=FIXTURE, progress=False)
    assert (run.executed, run.cached) == (5, 0) and run.cluster == "local:2"
    assert sorted(run.references) == [f"fixture/{BASICS}", f"fixture/{WORDS}"]  # forced too
    assert (out / "scores.csv").read_text() == local_csv
    assert scores(out)["perfect"]["total"] == "7" and scores(out)["tamper"]["total"] == "1"
    assert scores(out)["broken"]["total"] == "3"
    assert any("2 worker(s) ran tasks" in note for note in run.notes)
    statuses = {(o.submission.student, o.submission.notebook): o.status for o in run.outcomes}
    assert statuses[("broken", WORDS)] == "missing" and statuses[("broken", BASICS)] == "graded"
    assert not (out / "dask-worker-space").exists() and not (out / "work").exists()


def test_unchanged_grades_nothing_and_a_changed_test_regrades_exactly_its_notebook(local_run, tmp_path):
    """The local run's cache serves the cluster: unchanged, nothing runs; one hidden test changed in
    02_words: that notebook (and its solution) runs again for every student, and nothing else."""
    root, out, local_csv = local_run
    run = grade(root, out, cluster="local:2", timeout=5, source_root=FIXTURE, progress=False)
    assert (run.executed, run.cached, run.references) == (0, 5, {})
    assert (out / "scores.csv").read_text() == local_csv
    assert all(o.cached for o in run.outcomes if o.status == "graded")
    assert "(0 run, 5 unchanged since an earlier run, " in (out / "summary.txt").read_text()

    source = tmp_path / "source"
    shutil.copytree(FIXTURE, source)
    words = solution(WORDS)
    test = next(c for c in words.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "shout-tests")
    assert '("ok", "Mixed case")' in test.source
    test.source = test.source.replace('("ok", "Mixed case")', '("ok", "Mixed case", "x")')
    nbformat.write(words, source / "fixture" / f"{WORDS}.ipynb")
    run = grade(root, out, cluster="local:2", timeout=5, source_root=source, progress=False)
    graded = [o for o in run.outcomes if o.status == "graded"]
    regraded = sorted((o.submission.student, o.submission.notebook) for o in graded if not o.cached)
    assert regraded == [(s, WORDS) for s in ("perfect", "tamper")]
    assert (run.executed, run.cached, sorted(run.references)) == (2, 3, [f"fixture/{WORDS}"])
    assert scores(out)["perfect"]["total"] == "7" and scores(out)["tamper"]["total"] == "1"


def with_references(local_run, out: Path) -> Path:
    """An OUT holding the local run's expected values (same source, same settings): no solution runs."""
    shutil.copytree(local_run[1] / "cache" / "references", out / "cache" / "references")
    return out


# A cell that holds its kernel until the grader's test says so: it names its process `course-busy` (the event
# the killer waits for) and waits for SIGUSR1, at most 4 s (the test grades with a 5 s cell timeout).
HOLD_UNTIL_RELEASED = """import signal, time

released = []
signal.signal(signal.SIGUSR1, lambda *_: released.append(True))
with open("/proc/self/comm", "w") as comm:
    comm.write("course-busy")
deadline = time.monotonic() + 4
while not released and time.monotonic() < deadline:
    time.sleep(0.02)
"""


def next_busy_kernel(seen: set[int], within: float = 120.0):
    """The first process named `course-busy` not in `seen` (a held kernel), or None after `within` s."""
    import psutil

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for process in psutil.process_iter(["name"]):
            if process.info["name"] == "course-busy" and process.pid not in seen:
                return process
        time.sleep(0.01)
    return None


def test_a_worker_killed_mid_task_loses_nothing(local_run, tmp_path):
    """SIGKILL to a Dask worker while its grading runs a kernel: the scheduler gives the task to
    another worker, every pair is graded and merged exactly once, and nothing of the dead worker's
    task is left running."""
    import dask
    import psutil
    from distributed import Client, LocalCluster

    root = write_class(tmp_path / "submitted", ("s1",))
    basics = root / "s1" / "fixture" / f"{BASICS}.ipynb"
    notebook = nbformat.read(basics, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(HOLD_UNTIL_RELEASED))
    nbformat.write(notebook, basics)
    out = with_references(local_run, tmp_path / "out")
    with dask.config.set({"distributed.scheduler.allowed-failures": 3}):
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
            local_directory=str(tmp_path / "dask"),
        )
    client = Client(cluster, set_as_default=False)
    workers = client.run(os.getpid)  # address -> pid, taken before any task starts
    killed: dict = {}

    def kill_one_busy_worker() -> None:
        """Events, not times: the first kernel that announces it is held costs its worker a SIGKILL; the
        rescheduled run's kernel, when it announces itself, is released (SIGUSR1)."""
        first = next_busy_kernel(seen=set())
        if first is None:
            return
        for address, pid in workers.items():
            if first.pid in {c.pid for c in psutil.Process(pid).children(recursive=True)}:
                os.kill(pid, signal.SIGKILL)  # mid-task: its kernel is held in the cell
                killed.update(address=address)
        second = next_busy_kernel(seen={first.pid})
        if second is not None:
            second.send_signal(signal.SIGUSR1)

    killer = threading.Thread(target=kill_one_busy_worker)
    killer.start()
    try:
        run = grade(
            root, out, cluster=cluster.scheduler_address, timeout=5, source_root=FIXTURE, progress=False
        )
    finally:
        killer.join()
        client.close()
        cluster.close()
    assert killed, "no worker was caught grading"
    assert run.exit_code == 0 and (run.executed, run.cached, run.references) == (2, 0, {})
    assert [(o.submission.notebook, o.score) for o in run.outcomes] == [(BASICS, 6), (WORDS, 1)]
    assert each_pair_once(out) == {"s1": [BASICS, WORDS]}
    assert grading_processes(str(tmp_path)) == []  # the dead worker's grading process went with it


GRADE_SCRIPT = """
import sys
from pathlib import Path
from course.grading.grade import grade
grade(Path(sys.argv[1]), Path(sys.argv[2]), cluster="local:1", timeout=5, source_root=Path(sys.argv[3]),
      progress=False)
"""


def _still_running(process) -> bool:
    import psutil

    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_resume_after_the_parent_was_killed_grades_only_the_rest(local_run, tmp_path):
    """The grading parent (and its one-worker local cluster) killed after its first result: `--resume`
    runs exactly the task whose result was not cached; every cache entry is whole; nothing the killed
    parent started is left running."""
    import psutil

    root = write_class(tmp_path / "submitted", ("s1",))
    out = tmp_path / "out"
    with pytest.raises(NothingToResume, match="no earlier grading run"):
        grade(root, out, resume=True, source_root=FIXTURE, progress=False)
    with_references(local_run, out)

    cache = Cache(out, limits=None, timeout=5, scan=True)
    parent = subprocess.Popen(
        [sys.executable, "-c", GRADE_SCRIPT, str(root), str(out), str(FIXTURE)],
        cwd=REPO,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started: list = []  # everything the parent started: its cluster, the grading workers, their kernels
    try:
        deadline = time.monotonic() + 120
        while not cache.entries("tasks") and parent.poll() is None and time.monotonic() < deadline:
            started = psutil.Process(parent.pid).children(recursive=True) or started
            time.sleep(0.05)
    finally:
        started = psutil.Process(parent.pid).children(recursive=True) or started
        os.killpg(parent.pid, signal.SIGKILL)
        parent.wait()
    assert started
    # grading workers (their own sessions) end through their watchdog; under load an exiting process can
    # take seconds to go (the sandbox's sweep allows 15 s for the same reason); a zombie has ended
    _, alive = psutil.wait_procs(started, timeout=20)
    alive = [p for p in alive if _still_running(p)]
    assert not alive, [p.pid for p in alive]
    done = len(cache.entries("tasks"))
    assert done == 1, f"{done} results cached when the parent was killed"
    manifest = json.loads((out / "cache" / "run.json").read_text())
    assert manifest["finished"] is None and manifest["tasks"] == 2

    run = grade(root, out, cluster="local:1", resume=True, timeout=5, source_root=FIXTURE, progress=False)
    assert (run.executed, run.cached) == (1, 1)
    assert {row["total"] for student, row in scores(out).items() if student != "(max)"} == {"7"}
    assert each_pair_once(out) == {"s1": [BASICS, WORDS]}
    assert any(note.startswith("resumed an interrupted run") for note in run.notes)
    assert json.loads((out / "cache" / "run.json").read_text())["finished"] is not None
    assert not list((out / "cache").rglob("*.tmp")) and len(cache.entries("tasks")) == 2
    assert grading_processes(str(tmp_path)) == []


def test_an_unreachable_scheduler_fails_fast_and_says_what_to_do(tmp_path, capsys):
    from course.cli import main

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    (tmp_path / "submitted").mkdir()
    started = time.monotonic()
    code = main(["grade", str(tmp_path / "submitted"), "--out", str(tmp_path / "out"), "--cluster", address])
    assert code == 1 and time.monotonic() - started <= 10
    err = capsys.readouterr().err
    assert address in err and "dask scheduler" in err and "dask worker" in err and "local:N" in err
    assert "firewall" in err and not (tmp_path / "out" / "nbgrader").exists()
