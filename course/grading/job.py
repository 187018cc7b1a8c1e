"""The state the grading steps share: the settings, the course directory, the submissions, their
outcomes and prepared tasks (built by course.grading.tasks, read by the later steps)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from course.grading.collect import Outcome
from course.grading.sandbox_run import SandboxRun
from course.grading.settings import Settings
from course.grading.submissions import Batch, Submission


@dataclass
class Job:
    """One grading run's course directory, submissions, outcomes and prepared tasks."""

    settings: Settings
    course: Path
    batch: Batch
    box: SandboxRun | None  # None: unsafe, or on a cluster (each worker fills in its own sandbox)
    outcomes: dict[str, Outcome]
    probed: set[tuple[str, str]]  # (assignment, notebook) whose tests emit probes
    tasks: list[tuple[Submission, Path]] = field(default_factory=list)

    @property
    def out(self) -> Path:
        return self.settings.out

    @property
    def master(self) -> Path:
        """The class gradebook."""
        return self.course / "gradebook.db"

    def source_of(self, assignment: str, notebook: str) -> Path:
        """The instructor's notebook a submission is graded against."""
        return self.settings.source_root / assignment / f"{notebook}.ipynb"

    def sandbox_spec(self, index: int) -> dict | None:
        """The sandbox of task number `index` (None: unsafe, or each cluster worker fills in its own)."""
        if self.box is not None:
            spec = self.box.spec(index)
            spec["cgroup_parent"] = self.box.cgroup_parent
            return spec
        return None

    def log_of(self, kind: str, what) -> Path:
        """OUT/logs/...: the log of a task ("task": a Submission) or a solution run ("reference")."""
        if kind == "reference":
            return self.out / "logs" / f"_reference__{what[0]}__{what[1]}.log"
        return self.out / "logs" / f"{what.student}__{what.assignment}__{what.notebook}.log"
