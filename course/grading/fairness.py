"""A per-cell timeout that is fair under load: time a kernel spent waiting for a CPU is not held against it.

Linux counts, per thread, the time it was ready to run but waited on a run queue (the second field of
/proc/<pid>/task/<tid>/schedstat, in nanoseconds). When a cell reaches its timeout, the grader looks at
how long the kernel's busiest-waiting thread waited since the cell began. If that is at least
`STARVED_SHARE` of the timeout, the machine (not the cell) was slow: the cell gets one more timeout
before it is interrupted, once. So a cell never runs longer than twice the timeout, and a cell that
loops on its own is interrupted as before when nothing starved it (its own busy processes in its own
sandbox count as starving it: that costs it at most one more timeout, its own time).

With CPU cgroups (course.grading.sandbox) a neighbour cannot take this kernel's share in the first
place; this margin is what remains where there are none (a non-root grader) or when other programs
load the machine.
"""

from __future__ import annotations

import os

STARVED_SHARE = 0.1


def waits(pids) -> dict[tuple[int, int], int]:
    """(pid, tid) -> nanoseconds spent waiting on a run queue, for every thread of `pids`."""
    found = {}
    for pid in pids:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as handle:
                    found[(pid, int(tid))] = int(handle.read().split()[1])
            except (OSError, ValueError, IndexError):
                continue
    return found


def waited_s(before: dict, after: dict) -> float:
    """The longest any one thread waited for a CPU between two `waits` readings, in seconds."""
    return max((ns - before.get(key, 0) for key, ns in after.items()), default=0) / 1e9


def kernel_pids(km) -> list[int]:
    """The processes of a kernel: every process of its sandbox, or the local kernel process."""
    provisioner = getattr(km, "provisioner", None)
    inside = getattr(provisioner, "_inside", None)
    if callable(inside):
        return inside()
    process = getattr(provisioner, "process", None)
    return [process.pid] if process is not None else []


def starved(timeout: float, before: dict, km) -> float:
    """Seconds the kernel waited for a CPU since `before`, when that merits one more timeout; else 0."""
    waited = waited_s(before, waits(kernel_pids(km)))
    return waited if waited >= STARVED_SHARE * timeout else 0.0
