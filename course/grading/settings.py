"""Step 1 of `course grade`: the run's settings, one object built from the CLI and nbgrader_config.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from course.grading.config import SOURCE, default_timeout
from course.grading.sandbox_run import sandbox_limits
from course.notebooks import REPO


@dataclass(frozen=True)
class Settings:
    """What one grading run was asked to do (see course.grading.grade.grade for each field)."""

    submissions_dir: Path
    out: Path
    source_root: Path
    timeout: int  # seconds per cell (nbgrader_config.py's ExecutePreprocessor.timeout by default)
    limits: dict  # c.Sandbox limits with the CLI's overrides on top
    jobs: int = 1
    scan: bool = True
    progress: bool = True
    keep_work: bool = False
    sandbox: bool = True
    cluster: str | None = None
    force: bool = False
    resume: bool = False

    @property
    def run_limits(self) -> dict | None:
        """The sandbox limits the kernels run under; None when they run unconfined."""
        return self.limits if self.sandbox else None

    @classmethod
    def build(
        cls,
        submissions_dir: Path,
        out: Path,
        *,
        timeout: int | None = None,
        source_root: Path = REPO / SOURCE,
        limits: dict | None = None,
        **flags,
    ) -> Settings:
        """Checked settings: absolute paths, the default timeout, the limits of nbgrader_config.py."""
        # Absolute paths: workers run in their task folders (a relative --out used to break every task).
        out, submissions_dir = Path(out).resolve(), Path(submissions_dir).resolve()
        if not submissions_dir.is_dir():
            raise FileNotFoundError(f"no submissions folder at {submissions_dir}")
        if flags.get("force") and flags.get("resume"):
            raise ValueError("--force regrades everything, --resume continues a run: give one of them")
        timeout = int(timeout or default_timeout())
        return cls(
            submissions_dir,
            out,
            Path(source_root).resolve(),
            timeout,
            sandbox_limits(limits),
            **flags,
        )
