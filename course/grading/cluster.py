"""`course grade --cluster ADDRESS`: each (student, notebook) graded on a Dask distributed worker.

ADDRESS is a scheduler's address (`tcp://host:8786`, or anything `distributed.Client` accepts) or
`local:N`, a LocalCluster of N single-threaded worker processes on this machine.

What travels, so that workers need no shared filesystem: the parent packs one task (its task.json, the
source notebook of the graded notebook and the assignment's other files, the submitted notebook, the
task's copy of the gradebook, the expected probe values) as compressed bytes; `run_packed`, on the
worker, unpacks it into a private folder under the worker's local directory and runs the same step as
the local path (course.grading.worker.run_worker: `python -m course.grading.worker`, the student's
kernel in bubblewrap, with the sandbox prepared on that worker from the limits the parent sent). It
returns the result and the files the parent merges (the task's gradebook, the autograded notebook,
the feedback, the log). Only the parent writes OUT: the gradebook, scores.csv, the reports, the cache.

The solution runs that give the expected values go through the cluster too, before their students:
then the expected values come from the same library versions and the same sandbox as the runs they
are compared with, and the parent needs no bubblewrap of its own (it runs no kernel at all).

Faults: a worker that dies mid-task loses nothing: the scheduler gives the task to another worker, up
to `distributed.scheduler.allowed-failures` deaths of workers running it (3 here and by default; after
that the notebook is reported as a grader error, not retried forever); the parent takes one result per
task, so each (student, notebook) is merged exactly once. A worker whose `course` or libraries differ
from the parent's answers with an error instead of a grade (results are cached by the parent's
grading version). A scheduler that cannot be reached fails in CONNECT_TIMEOUT seconds, naming the
address and the fixes.
"""

from __future__ import annotations

import atexit
import itertools
import json
import logging
import os
import shutil
import tempfile
import threading
import zlib
from pathlib import Path

from course.grading.cache import TASK_PARTS, folder_files, grading_version, write_files

CONNECT_TIMEOUT = 5  # seconds: an unreachable scheduler fails well within 10 s
ALLOWED_FAILURES = 3  # worker deaths one task may cause before it is reported, not rescheduled
RETRIES = 1  # an exception in run_packed itself (not a student's error): try once more
IN_FLIGHT = 256  # at least this many tasks queued on the cluster at once (more with more workers)
LOG = "grading.log"


class ClusterUnreachable(RuntimeError):
    """No Dask scheduler at the address given."""


def unreachable_message(address: str, error: BaseException | str, timeout: float) -> str:
    return (
        f"cannot reach the Dask scheduler at {address} within {timeout:g} s ({error}). "
        f"Start one there with `dask scheduler` and give it workers with `dask worker {address}`; "
        "check the address and port, and that no firewall blocks it; "
        "or grade on this machine with `--cluster local:N` (N worker processes)."
    )


def connect(address: str, *, timeout: float = CONNECT_TIMEOUT, local_directory: Path | None = None):
    """(client, cluster): a Client of the scheduler at `address`, or of a new LocalCluster for `local:N`."""
    import dask
    from distributed import Client, LocalCluster

    address = address.strip()
    if address.startswith("local:"):
        count = address.split(":", 1)[1]
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"--cluster {address}: local:N needs a number of workers N >= 1")
        with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
            cluster = LocalCluster(
                n_workers=int(count),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.CRITICAL,  # a task's trouble comes back as its result
                local_directory=str(local_directory) if local_directory else None,
            )
        try:
            return Client(cluster, set_as_default=False, timeout=timeout), cluster
        except BaseException:
            cluster.close()
            raise
    try:
        client = Client(address, set_as_default=False, timeout=timeout)
    except Exception as error:  # noqa: BLE001 - OSError, TimeoutError, a malformed address...
        raise ClusterUnreachable(unreachable_message(address, error, timeout)) from None
    return client, None


# --- the worker's side -----------------------------------------------------------------------------

_LOCK = threading.Lock()
_BOXES: dict[str, object] = {}  # the sandbox runs of this worker process, by their limits
_UIDS = itertools.count()  # task uids of this worker process: uid_base + n


def _close_boxes() -> None:
    from course.grading.sandbox_run import close_sandbox

    for box in _BOXES.values():
        close_sandbox(box)
    _BOXES.clear()


def _worker_sandbox(limits: dict, base: Path | None):
    """This worker process's SandboxRun for `limits`: prepared on the worker, once, for all its tasks."""
    from course.grading.sandbox_run import open_sandbox

    name = json.dumps(limits, sort_keys=True)
    with _LOCK:
        if name not in _BOXES:
            if not _BOXES:
                atexit.register(_close_boxes)
            _BOXES[name] = open_sandbox(limits, base=base)
        return _BOXES[name]


def _where() -> tuple[str, Path | None, int]:
    """This worker's address, local directory and number of task threads (outside Dask: this process)."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return f"pid {os.getpid()}", None, 1
    return worker.address, Path(worker.local_directory), max(1, int(getattr(worker, "nthreads", 1) or 1))


def run_packed(packet: dict) -> dict:
    """On a worker: unpack one task, grade it like the local path does, pack what the parent merges."""
    from course.grading.sandbox_run import SandboxUnavailable
    from course.grading.worker import EXPECTED, run_worker

    address, base, nthreads = _where()
    reply = {"worker": address, "cgroups": None, "log": "", "files": {}}
    mine = grading_version()
    if packet["grading"] != mine:
        reply["result"] = {
            "status": "error",
            "error": f"the worker {address} runs another version of `course` or of the grading libraries "
            f"(grading version {mine[:12]}) than the parent ({packet['grading'][:12]}): install the same "
            "ones on every worker",
        }
        return reply
    folder = Path(tempfile.mkdtemp(prefix="course-task-", dir=base))  # 0700: the grader's alone
    try:
        write_files(folder, unpack(packet["files"]))
        spec = dict(packet["spec"])
        spec["course_dir"] = str(folder)
        if packet["kind"] == "reference":
            spec["source"] = str(folder / packet["source"])
        if packet.get("expected"):
            spec["expected"] = str(folder / packet["expected"])
        if packet["limits"] is not None:
            try:
                box = _worker_sandbox(packet["limits"], base)
            except SandboxUnavailable as error:
                reply["result"] = {"status": "error", "error": f"on the worker {address}: {error}"}
                return reply
            spec["sandbox"] = box.spec(next(_UIDS))
            spec["sandbox"]["cgroup_parent"] = box.cgroup_parent
        else:
            spec["sandbox"] = None
        (folder / "task.json").write_text(json.dumps(spec))
        threads = packet["threads"] or max(1, (os.cpu_count() or 1) // nthreads)
        log = folder / LOG
        result = run_worker(folder, log, packet["hard_limit"], threads)
        if spec["sandbox"] is not None:  # run_worker wrote the task's cgroups (if any) into task.json
            used = json.loads((folder / "task.json").read_text()).get("sandbox") or {}
            reply["cgroups"] = bool(used.get("cgroups"))
        parts = (EXPECTED,) if packet["kind"] == "reference" else TASK_PARTS
        reply.update(result=result, files=pack(folder_files(folder, parts)))
        reply["log"] = log.read_text(errors="replace") if log.is_file() else ""
        return reply
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- the parent's side -----------------------------------------------------------------------------


def pack(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: zlib.compress(data, 6) for name, data in files.items()}


def unpack(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: zlib.decompress(data) for name, data in files.items()}


def packet_of(kind: str, task: Path, hard_limit: float, threads: int | None, limits: dict | None) -> dict:
    """What one task needs on a worker, as bytes (see the module docstring)."""
    spec = json.loads((Path(task) / "task.json").read_text())
    files: dict[str, bytes] = {}
    packet = {"kind": kind, "hard_limit": hard_limit, "threads": threads, "limits": limits}
    if kind == "reference":
        source = Path(spec["source"])
        packet["source"] = f"solutions/{spec['assignment']}/{source.name}"
        files[packet["source"]] = source.read_bytes()
    else:
        files.update(folder_files(task, ("gradebook.db", "submitted")))
        source = Path(task) / "solutions" / spec["assignment"]  # a link to the class's source folder
        for item in sorted(source.resolve().rglob("*")):  # the graded notebook and non-notebook files
            if item.is_file() and (item.suffix != ".ipynb" or item.stem == spec["notebook"]):
                relative = item.relative_to(source.resolve()).as_posix()
                files[f"solutions/{spec['assignment']}/{relative}"] = item.read_bytes()
        if spec.get("expected"):
            packet["expected"] = "expected-probes.json"
            files[packet["expected"]] = Path(spec["expected"]).read_bytes()
    spec.pop("sandbox", None)
    packet.update(spec=spec, files=pack(files), grading=grading_version())
    return packet
