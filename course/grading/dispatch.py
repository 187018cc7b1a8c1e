"""Step 5 of `course grade`: the tasks to a runner, the results back, one at a time, to the collect step.

Unchanged tasks (same submission, source, grader and settings as an earlier run into OUT) are restored
from OUT/cache and run nowhere. The others are queued on the runner (course.grading.runners), the
solution runs first; a probed notebook's students wait for its solution's expected values, and are
graded as grader errors when it cannot provide them. No task waits on the runner's memory beyond its
`capacity()`.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from course.grading.collect import collect_task
from course.grading.expected import References, expected_path
from course.grading.submissions import Submission
from course.grading.worker import EXPECTED

if TYPE_CHECKING:
    from course.grading.cache import Cache
    from course.grading.job import Job
    from course.grading.runners import Runner


@dataclass
class Lookup:
    """What OUT/cache already holds for this run's tasks."""

    task_keys: dict[str, str]  # submission key -> its cache key
    hits: dict[str, dict]  # submission key -> the cached entry
    todo: list[tuple[Submission, Path]]  # the tasks to run
    started: float  # when the lookup began (the parent's serial time counts from here)


def look_up(job: Job, cache: Cache) -> Lookup:
    """Incremental: what an earlier run graded from the same bytes with the same grader is not run again."""
    task_keys = {
        sub.key: cache.task_key(sub, job.source_of(sub.assignment, sub.notebook)) for sub, _ in job.tasks
    }
    hits = {}
    started = time.perf_counter()
    if not job.settings.force:
        for sub, _ in job.tasks:
            entry = cache.load("tasks", task_keys[sub.key])
            if entry is not None:
                hits[sub.key] = entry
    todo = [(sub, task) for sub, task in job.tasks if sub.key not in hits]
    return Lookup(task_keys, hits, todo, started)


def code_cells(job: Job) -> dict[tuple[str, str], int]:
    """The number of code cells of each submitted notebook's source (a task's time limit grows with it)."""
    import nbformat

    counts = {}
    for sub, _ in job.tasks:
        key = (sub.assignment, sub.notebook)
        if key not in counts:
            nb = nbformat.read(job.source_of(*key), as_version=4)
            counts[key] = sum(c.cell_type == "code" for c in nb.cells)
    return counts


class Dispatch:
    """One run's queue of tasks on a runner, and what came back (see the module docstring)."""

    def __init__(self, job: Job, runner: Runner, cache: Cache, lookup: Lookup, refs: References):
        self.job, self.runner, self.cache, self.lookup, self.refs = job, runner, cache, lookup, refs
        self.code_cells = code_cells(job)
        self.waiting: dict[tuple[str, str], list[tuple[Submission, Path]]] = {k: [] for k in refs.tasks}
        self.reference_seconds: dict[str, float] = {}
        self.counts = {"executed": 0, "cached": 0, "parent_s": time.perf_counter() - lookup.started}
        self.problems: list[str] = []
        self.pending: dict = {}
        self.queue: deque[tuple] = deque()  # (kind, what, task): submitted when the runner has room
        self.bar = None

    def run(self) -> None:
        """Restore the cached tasks, run the others, merge every result (collect_task)."""
        from tqdm.auto import tqdm

        progress = self.job.settings.progress
        total = len(self.job.tasks)
        self.bar = tqdm(total=total, desc="grading", unit="notebook", disable=not progress, file=sys.stderr)
        self.restore_cached()
        try:
            self.enqueue()
            self.fill()
            while self.pending:
                done, _ = wait(list(self.pending), return_when=FIRST_COMPLETED)
                for future in done:
                    self.receive(future)
                self.fill()
        finally:  # on Ctrl-C, grade() stops the workers (runner.close(cancel=True))
            self.bar.close()

    def restore_cached(self) -> None:
        """The unchanged tasks first: restored, merged, no kernel."""
        from course.grading.cache import write_files

        for sub, task in self.job.tasks:
            entry = self.lookup.hits.get(sub.key)
            if entry is not None:
                begun = time.perf_counter()
                write_files(task, entry["files"])
                self.job.log_of("task", sub).write_text(
                    "[restored from OUT/cache: the log of the run that graded it]\n" + entry["log"]
                )
                self.counts["parent_s"] += time.perf_counter() - begun
                self.counts["cached"] += 1
                self.finish(sub, task, entry["result"], cached=True)

    def enqueue(self) -> None:
        """The solution runs first in the queue; their students wait for them."""
        for key, task in self.refs.tasks.items():
            self.queue.append(("reference", key, task))
        for sub, task in self.lookup.todo:
            key = (sub.assignment, sub.notebook)
            if key in self.refs.tasks:
                self.waiting[key].append((sub, task))
            else:
                self.queue.append(("task", sub, task))

    def submit(self, kind: str, what, task: Path) -> None:
        key = (what.assignment, what.notebook) if kind == "task" else what
        hard_limit = self.job.settings.timeout * (self.code_cells[key] + 2) + 120
        name = what.key if kind == "task" else "/".join(what)
        future = self.runner.submit(kind, name, task, self.job.log_of(kind, what), hard_limit)
        self.pending[future] = (kind, what, task)

    def fill(self) -> None:
        room = self.runner.capacity() - len(self.pending)
        while self.queue and room > 0:
            self.submit(*self.queue.popleft())
            room -= 1

    def receive(self, future) -> None:
        kind, what, task = self.pending.pop(future)
        try:
            result = self.runner.receive(future, task, self.job.log_of(kind, what))
        except Exception as error:  # noqa: BLE001 - one task's trouble must not stop the batch
            result = {"status": "error", "error": f"{type(error).__name__}: {error}"}
        if kind == "task":
            self.counts["executed"] += 1
            self.finish(what, task, result)
        else:
            self.reference_done(what, task, result)

    def reference_done(self, key: tuple[str, str], task: Path, result: dict) -> None:
        """A solution ran: its students are queued, or graded as grader errors when it failed."""
        self.reference_seconds["/".join(key)] = float(result.get("seconds", 0.0))
        if result.get("status") == "graded" and (task / EXPECTED).is_file():
            log = self.job.log_of("reference", key)
            self.store("references", self.refs.keys[key], task, result, log, (EXPECTED,))
            target = expected_path(self.job.course, *key)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(task / EXPECTED, target)
            self.queue.extend(("task", sub, student_task) for sub, student_task in self.waiting.pop(key))
            return
        failure = {
            "status": "error",
            "error": "the solution notebook could not provide the expected values "
            f"(see logs/_reference__{key[0]}__{key[1]}.log): {result.get('error', '?')}",
        }
        for sub, student_task in self.waiting.pop(key):
            self.finish(sub, student_task, failure)

    def store(self, kind: str, key: str, task: Path, result: dict, log: Path, parts) -> None:
        from course.grading.cache import folder_files

        try:
            text = log.read_text(errors="replace") if log.is_file() else ""
            self.cache.store(kind, key, result, folder_files(task, parts), text)
        except OSError as error:  # the grade stands; the next run grades this one again
            self.problems.append(
                f"could not write OUT/cache ({error}); those notebooks are graded again next time"
            )

    def finish(self, sub: Submission, task: Path, result: dict, cached: bool = False) -> None:
        """Cache a fresh grade and merge the task into the class gradebook (course.grading.collect)."""
        from course.grading.cache import TASK_PARTS

        begun = time.perf_counter()
        outcome = self.job.outcomes[sub.key]
        if not cached and result.get("status") == "graded":
            log = self.job.log_of("task", sub)
            self.store("tasks", self.lookup.task_keys[sub.key], task, result, log, TASK_PARTS)
        outcome.cached = cached
        try:
            collect_task(self.job.out, self.job.course, sub, task, result, outcome)
        except Exception as error:  # noqa: BLE001
            outcome.status = "error"
            outcome.problems.append(f"GRADER ERROR while merging: {type(error).__name__}: {error}")
        self.counts["parent_s"] += time.perf_counter() - begun
        self.bar.set_postfix_str(f"{sub.student}/{sub.notebook}", refresh=False)
        self.bar.update(1)
