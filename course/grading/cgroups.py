"""Sandboxes: limits a sandbox holds as a whole, through cgroups (v1 or v2) where the host allows them.

Per task: a memory cap, a process cap, the same CPU weight as every other sandbox and a CPU quota
(`make_cgroups`); `cgroups_work` tries once per run whether a process can join one. Without usable
cgroups the sandbox relies on its prlimit limits alone (course.grading.sandbox.command).
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from course.grading.lifetime import sweep

MiB = 1024 * 1024


CGROUP_FS = Path("/sys/fs/cgroup")


def _v1_root(controller: str) -> Path | None:
    """This process's cgroup folder for a v1 controller, when we may create cgroups in it."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            folder = CGROUP_FS / controller / path.lstrip("/")
            if (folder / "cgroup.procs").exists() and os.access(folder, os.W_OK):
                return folder
    return None


def _v2_root() -> Path | None:
    """The unified (v2) hierarchy, when it offers the memory and pids controllers and we may write it."""
    try:
        offered = (CGROUP_FS / "cgroup.controllers").read_text().split()
    except OSError:
        return None
    if {"memory", "pids"} <= set(offered) and os.access(CGROUP_FS, os.W_OK):
        return CGROUP_FS
    return None


CPU_PERIOD_US = 100_000


def _cgroup_settings(limits: dict, cpus: int | None = None) -> dict[str, dict[str, int | str]]:
    """What each controller's files get: memory and pids caps, and a CPU share with an optional quota.

    Every sandbox has the same CPU weight, so the scheduler splits the CPUs evenly between the sandboxes
    (a submission that starts 100 busy processes gets one sandbox's share, not 100 processes' worth);
    with `cpus` the sandbox may also use at most that many CPUs' time (a quota per period).
    """
    memory, processes = int(limits["total_memory_mb"]) * MiB, int(limits["processes"])
    quota = int(cpus) * CPU_PERIOD_US if cpus else -1
    return {
        "v1-memory": {"memory.limit_in_bytes": memory, "memory.memsw.limit_in_bytes": memory},
        "v1-pids": {"pids.max": processes},
        "v1-cpu": {"cpu.shares": 1024, "cpu.cfs_period_us": CPU_PERIOD_US, "cpu.cfs_quota_us": quota},
        "v2": {
            "memory.max": memory,
            "memory.swap.max": 0,
            "pids.max": processes,
            "cpu.weight": 100,
            "cpu.max": f"{quota if quota > 0 else 'max'} {CPU_PERIOD_US}",
        },
    }


def _create(folder: Path, values: dict) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for key, value in values.items():
            if (folder / key).exists():
                (folder / key).write_text(str(value))
        return True
    except OSError:
        return False


def _run_share(root: Path, name: str) -> None:
    """The run's parent cgroup competes with the rest of the machine like one busy process per CPU."""
    try:
        (root / name.split("/")[0] / "cpu.shares").write_text(str(1024 * (os.cpu_count() or 1)))
    except OSError:
        pass


def _make(name: str, limits: dict, cpus: int | None = None) -> list[str]:
    settings = _cgroup_settings(limits, cpus)
    made = []
    for controller in ("memory", "pids"):
        root = _v1_root(controller)
        if root is not None and _create(root / name, settings[f"v1-{controller}"]):
            made.append(str(root / name / "cgroup.procs"))
    if made:
        root = _v1_root("cpu")  # the CPU share where the cpu controller is writable too
        if root is not None and _create(root / name, settings["v1-cpu"]):
            _run_share(root, name)
            made.append(str(root / name / "cgroup.procs"))
        return made
    root = _v2_root()
    if root is not None:
        parent = root / name.split("/")[0]
        try:
            parent.mkdir(exist_ok=True)
            try:
                (parent / "cgroup.subtree_control").write_text("+memory +pids +cpu")
            except OSError:
                (parent / "cgroup.subtree_control").write_text("+memory +pids")
        except OSError:
            return []
        if _create(root / name, settings["v2"]):
            return [str(root / name / "cgroup.procs")]
    return []


def ensure_cgroups(cgroups, limits: dict, cpus: int | None = None) -> None:
    """Re-create a task's cgroup folders if they are gone (a restarted kernel, after a sweep removed them)."""
    settings = _cgroup_settings(limits, cpus)
    for procs in cgroups:
        folder = Path(procs).parent
        if not folder.is_dir():
            kinds = {"/memory/": "v1-memory", "/pids/": "v1-pids", "/cpu/": "v1-cpu"}
            kind = next((k for part, k in kinds.items() if part in procs), "v2")
            _create(folder, settings[kind])


_CGROUPS_WORK: dict[str, bool] = {}


def cgroups_work(parent: str, limits: dict) -> bool:
    """Whether a process can be put in a task cgroup here (tried once per run with a throwaway shell)."""
    if parent not in _CGROUPS_WORK:
        made = _make(f"{parent}/probe", limits)
        ok = bool(made)
        if made:
            join = "".join(f"echo $$ > {shlex.quote(p)} || exit 97; " for p in made)
            ok = subprocess.run(["/bin/sh", "-c", join + "exit 0"], timeout=30).returncode == 0
        sweep(None, made)
        _CGROUPS_WORK[parent] = ok
    return _CGROUPS_WORK[parent]


def make_cgroups(name: str, limits: dict, cpus: int | None = None) -> list[str]:
    """Memory, pids and cpu cgroups for one task (`name` is "<run parent>/<task>"); their cgroup.procs.

    v1 (a memory, a pids and, where writable, a cpu hierarchy) or v2 (the unified one); empty when
    neither can be used, and the sandbox then relies on its prlimit limits alone. `cpus`: the most
    CPUs' time the sandbox may use (a quota); every sandbox has the same CPU weight either way.
    """
    if not cgroups_work(name.split("/")[0], limits):
        return []
    return _make(name, limits, cpus)


def cgroup_peak_mb(cgroups) -> int | None:
    """The most memory the task's memory cgroup held (v1 max_usage_in_bytes, v2 memory.peak), MiB."""
    for procs in cgroups:
        for name in ("memory.max_usage_in_bytes", "memory.peak"):
            try:
                return int((Path(procs).parent / name).read_text()) // MiB
            except (OSError, ValueError):
                continue
    return None


def remove_cgroup_parent(name: str) -> None:
    roots = [_v1_root("memory"), _v1_root("pids"), _v1_root("cpu"), _v2_root()]
    for root in filter(None, roots):
        try:
            (root / name).rmdir()
        except OSError:
            pass
    _CGROUPS_WORK.pop(name, None)


def cpu_share_available() -> bool:
    """Whether each sandbox can get a CPU weight and quota of its own here (a writable cpu controller)."""
    if _v1_root("memory") is not None:  # v1: the sandboxes use v1 hierarchies
        return _v1_root("cpu") is not None
    try:
        return "cpu" in (CGROUP_FS / "cgroup.controllers").read_text().split() and _v2_root() is not None
    except OSError:
        return False


def cgroups_available() -> bool:
    """Whether this host lets the grader give each sandbox a memory and process cap of its own."""
    return bool(_v1_root("memory") or _v2_root())
