"""The sandbox settings of one grading run: opened once by the parent (or once per Dask worker process).

`open_sandbox` checks that bubblewrap works, stages the read-only view the kernels see, picks the run's
uid base and cgroup parent; `close_sandbox` removes them. `sandbox_limits` reads nbgrader_config.py's
c.Sandbox limits. The sandbox itself (the bwrap command line, limits, cgroups, uids) is
course.grading.sandbox.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from course.grading.config import load_config
from course.notebooks import REPO


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
        from course.grading.lifetime import task_uid

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
    from course.grading.cgroups import remove_cgroup_parent

    remove_cgroup_parent(run.cgroup_parent)
    shutil.rmtree(run.staging, ignore_errors=True)
