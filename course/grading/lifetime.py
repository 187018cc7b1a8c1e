"""Sandboxes: each task's user, and the end of everything a task started.

Each task runs as a uid of its own (`task_uid`), from a range drawn at random per run (`run_uid_base`);
when it ends, `sweep` kills whatever still runs under that uid or in its cgroups and removes the
cgroups. `_descendants` finds a kernel's process tree (course.grading.sandbox's provisioner kills it).
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

_RANDOM = random.SystemRandom()  # unaffected by seeding (see run_uid_base)


def task_uid(index: int, base: int) -> int:
    return base + index


def run_uid_base() -> int:
    """A uid range for this run's tasks (root only): far above real users, random so runs do not meet.

    From the OS's randomness: `random` is seeded by course.setup() (seed_everything), and two grading
    runs in seeded processes drew the same range, then killed each other's kernels when sweeping it.
    """
    return 2_000_000 + _RANDOM.randrange(10_000) * 100_000


def processes_of(uid: int | None = None, cgroups=()) -> list[int]:
    """Live processes whose real uid is `uid`, or that are in one of the `cgroups` (cgroup.procs files)."""
    found: set[int] = set()
    for procs in cgroups:
        try:
            found.update(int(p) for p in Path(procs).read_text().split())
        except OSError:
            pass
    if uid is not None:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    fields = dict(
                        line.split(":", 1) for line in Path(f"/proc/{entry}/status").read_text().splitlines()
                    )
                except (OSError, ValueError):
                    continue
                # a zombie has exited (it runs nothing, holds no memory) and waits only to be reaped
                if int(fields["Uid"].split()[0]) == uid and not fields["State"].strip().startswith("Z"):
                    found.add(int(entry))
    return sorted(found)


def sweep(uid: int | None, cgroups=()) -> list[int]:
    """Kill whatever a task left alive (its uid's processes, its cgroups' members), remove the cgroups.

    Returns the pids that were still alive (normally none).
    """
    left = processes_of(uid, cgroups)
    deadline = time.monotonic() + 15  # a killed kernel holding GBs can take seconds to exit when busy
    while time.monotonic() < deadline:
        alive = processes_of(uid, cgroups)
        if not alive:
            break
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.02)
    for procs in cgroups:
        folder = Path(procs).parent
        for _ in range(50):
            try:
                folder.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.02)
    return left


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        pass
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        for child in _children(todo.pop()):
            out.append(child)
            todo.append(child)
    return out
