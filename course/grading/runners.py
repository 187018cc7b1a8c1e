"""Where the tasks run: one interface (`Runner`), two runners.

`LocalRunner`: worker processes on this machine, `jobs` at a time (course.grading.worker.run_worker).
`DaskRunner`: the same step on the workers of a Dask cluster (course.grading.cluster): a task travels
as bytes and its files come back. The orchestration (course.grading.dispatch) sees only the interface.
"""

from __future__ import annotations

import os
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from course.grading.cache import write_files
from course.grading.cluster import IN_FLIGHT, RETRIES, connect, packet_of, run_packed, unpack
from course.grading.worker import RUNNING, kill_group, run_worker


class Runner(Protocol):
    """What the orchestration asks of a runner."""

    def capacity(self) -> int:
        """How many tasks may be queued on the runner at once."""

    def submit(self, kind: str, name: str, task: Path, log: Path, hard_limit: float):
        """Start one task ("task" or "reference"); a future of its result."""

    def receive(self, future, task: Path, log: Path) -> dict:
        """A finished task's result, its files in `task` and its log in `log`."""

    def close(self, cancel: bool = False) -> None:
        """Stop the runner (`cancel`: nothing it started may outlive it)."""


class LocalRunner:
    """Runs tasks in worker processes on this machine, `jobs` at a time (see DaskRunner)."""

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
                kill_group(process)
        else:
            self.pool.shutdown()


class DaskRunner:
    """Runs tasks on a Dask cluster (course.grading.cluster): packed, sent, unpacked back."""

    def __init__(self, address: str, *, limits: dict | None, local_directory: Path | None = None):
        self.address = address
        self.limits = limits
        self.client, self.cluster = connect(address, local_directory=local_directory)
        self.executor = self.client.get_executor(pure=False, retries=RETRIES)
        self.run_id = uuid.uuid4().hex[:8]
        self.threads = None  # on a worker: its cores / its task threads (OMP_NUM_THREADS there wins)
        if self.cluster is not None:
            self.threads = max(1, (os.cpu_count() or 1) // len(self.cluster.workers))
        self.workers_used: set[str] = set()
        self.cgroups: set[bool] = set()
        self.closed = False
        if self.cluster is None and not self.client.nthreads():
            print(
                f"note: the Dask scheduler at {address} has no workers yet; the tasks wait for some "
                f"(`dask worker {address}`)",
                file=sys.stderr,
            )

    def capacity(self) -> int:
        """How many tasks to keep queued on the cluster (their packets wait in the scheduler's memory)."""
        return max(IN_FLIGHT, 3 * sum(self.client.nthreads().values()))

    def describe(self) -> str:
        what = (
            f"a local Dask cluster ({self.address})"
            if self.cluster
            else f"the Dask cluster at {self.address}"
        )
        if not self.workers_used:
            return f"{what}: nothing to run there (every result came from the cache)"
        return f"graded on {what}: {len(self.workers_used)} worker(s) ran tasks"

    def submit(self, kind: str, name: str, task: Path, log: Path, hard_limit: float):
        packet = packet_of(kind, task, hard_limit, self.threads, self.limits)
        return self.executor.submit(
            run_packed,
            packet,
            key=f"course-grade-{kind}-{name}-{self.run_id}",
            priority=1 if kind == "reference" else 0,  # the solutions first: their students wait for them
        )

    def receive(self, future, task: Path, log: Path) -> dict:
        """A finished task's result; its files written into the parent's task folder, its log to `log`."""
        reply = future.result()
        write_files(task, unpack(reply.get("files", {})))
        log.write_text(reply.get("log", ""))
        self.workers_used.add(reply.get("worker", "?"))
        if reply.get("cgroups") is not None:
            self.cgroups.add(bool(reply["cgroups"]))
        result = reply["result"]
        result.setdefault("worker", reply.get("worker"))
        return result

    def close(self, cancel: bool = False) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self.executor.shutdown(wait=False)  # cancels what has not finished
            self.client.close(timeout=10)
        finally:
            if self.cluster is not None:
                self.cluster.close(timeout=10)
