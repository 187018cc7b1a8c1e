"""`course release`: regenerate notebooks/ from solutions/ with nbgrader, and check they are in sync.

nbgrader's generate_assignment runs in a temporary course directory (with a throwaway gradebook), so
the repository only ever sees the finished student notebooks. The output is normalised (no execution
timestamps, no widget state, nbformat's stable JSON) so the same solutions always give the same bytes.
"""

from __future__ import annotations

import filecmp
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from course.grading.config import RELEASE, SOURCE, assignments, load_config, run_converter
from course.notebooks import REPO

IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc", ".nbgrader.log")
DROP_NOTEBOOK_METADATA = ("widgets", "toc", "varInspector")


@dataclass
class SyncReport:
    """What differs between the generated release and notebooks/ (paths relative to the repository)."""

    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    @property
    def in_sync(self) -> bool:
        return not (self.changed or self.missing or self.stale)

    def lines(self) -> list[str]:
        return (
            [f"changed  {p}" for p in self.changed]
            + [f"missing  {p}" for p in self.missing]
            + [f"stale    {p}" for p in self.stale]
        )


def normalise(path: Path) -> None:
    """Drop volatile metadata from a generated student notebook and write it in nbformat's stable form."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    for key in DROP_NOTEBOOK_METADATA:
        notebook.metadata.pop(key, None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(notebook, path)


def build_release(source_root: Path, work: Path, only: list[str] | None = None) -> Path:
    """Run nbgrader generate_assignment for every assignment of `source_root` inside `work`.

    Returns the release folder (work/notebooks) holding one folder per assignment.
    """
    from nbgrader.converters import GenerateAssignment

    work = Path(work)
    names = [a for a in assignments(source_root) if only is None or a in only]
    for name in names:
        shutil.copytree(Path(source_root) / name, work / SOURCE / name, ignore=IGNORE, dirs_exist_ok=True)
    config = load_config(work)
    for name in names:
        run_converter(GenerateAssignment, config, assignment_id=name)
    release = work / RELEASE
    for notebook in sorted(release.glob("*/*.ipynb")):
        normalise(notebook)
    return release


def _files(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not any(part in {".ipynb_checkpoints", "__pycache__"} for part in p.parts)
    }


def compare(generated: Path, target: Path, names: list[str]) -> SyncReport:
    """Compare the generated release with `target` (notebooks/), assignment by assignment."""
    report = SyncReport()
    prefix = target.name
    for name in names:
        new, old = _files(generated / name), _files(target / name) if (target / name).is_dir() else set()
        for rel in sorted(new - old):
            report.missing.append(f"{prefix}/{name}/{rel}")
        for rel in sorted(old - new):
            report.stale.append(f"{prefix}/{name}/{rel}")
        for rel in sorted(new & old):
            if not filecmp.cmp(generated / name / rel, target / name / rel, shallow=False):
                report.changed.append(f"{prefix}/{name}/{rel}")
    if target.is_dir():  # assignment folders whose source is gone
        for folder in sorted(p for p in target.iterdir() if p.is_dir() and p.name not in names):
            if any(folder.glob("*.ipynb")):
                report.stale.append(f"{prefix}/{folder.name}/")
    return report


def release(
    source_root: Path = REPO / SOURCE, target: Path = REPO / RELEASE, *, check: bool = False
) -> SyncReport:
    """Regenerate `target` from `source_root` (or, with check=True, only report what would change).

    Returns the differences found before writing; after a write `target` is in sync.
    """
    source_root, target = Path(source_root), Path(target)
    names = assignments(source_root)
    with tempfile.TemporaryDirectory(prefix="course-release-") as tmp:
        generated = build_release(source_root, Path(tmp)) if names else Path(tmp) / RELEASE
        report = compare(generated, target, names)
        if check or report.in_sync:
            return report
        for name in names:
            if (target / name).exists():
                shutil.rmtree(target / name)
            shutil.copytree(generated / name, target / name)
        for line in report.stale:  # whole assignment folders without a source ("notebooks/chapterX/")
            stale = target.parent / line
            if line.endswith("/") and stale.is_dir():
                shutil.rmtree(stale)
        return report
