"""`course release`: regenerate notebooks/ from solutions/ with nbgrader, and check they are in sync.

nbgrader's generate_assignment runs in a temporary course directory (with a throwaway gradebook), so
the repository only ever sees the finished student notebooks. The output is normalised (no execution
timestamps, no widget state, nbformat's stable JSON) so the same solutions always give the same bytes.

For a course project (`course release` in a checkout) it also publishes, from pyproject.toml:
- each student notebook starts with an Open-in-Colab badge whose link is made from the one repository
  URL in [project.urls] (`Repository`);
- the README's block between README_START and README_END lists the same links;
- every solution's first code cell must be INSTALL_CELL with [tool.course] pip-source. A plain release
  only checks it (solutions/ belongs to its authors): a mismatch is a problem that fails the command and
  names the fix, `course release --install-cells`, which rewrites those cells (their source only; the
  stored outputs stay) before it regenerates notebooks/.
"""

from __future__ import annotations

import filecmp
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from course.grading.config import RELEASE, SOURCE, assignments, load_config, run_converter
from course.notebooks import find_project

IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc", ".nbgrader.log")
DROP_NOTEBOOK_METADATA = ("widgets", "toc", "varInspector")

# The first code cell of every notebook. In Colab (or on a fresh machine) it installs `course` from one
# source: [tool.course] pip-source, overridable with $COURSE_PIP_SOURCE (a git URL, a wheel's path or URL).
# `keep` pins the torch already installed, so that pip never replaces Colab's CUDA build.
INSTALL_CELL = """import importlib.util, os, subprocess, sys

if importlib.util.find_spec("course") is None:  # Colab or a fresh machine: install the course package
    source = os.environ.get("COURSE_PIP_SOURCE", <SOURCE>)  # or a git URL, or a wheel
    keep = [f"torch=={__import__('torch').__version__}"] if importlib.util.find_spec("torch") else []
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", source, *keep], check=True)
import course

env = course.setup()"""

COLAB = "https://colab.research.google.com"
BADGE_IMAGE = f"{COLAB}/assets/colab-badge.svg"
BADGE_CELL_ID = "open-in-colab"
README_START = (
    "<!-- course release: Open-in-Colab links, made from [project.urls] Repository in pyproject.toml -->"
)
README_END = "<!-- /course release: Open-in-Colab links -->"
INSTALL_CELLS_COMMAND = "course release --install-cells"
_GITHUB = re.compile(r"^https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?(?:/tree/([^?#]+))?/?$")


def install_cell(source: str) -> str:
    """The first code cell of every notebook, installing `source` when `course` is missing."""
    return INSTALL_CELL.replace("<SOURCE>", json.dumps(source))


@dataclass(frozen=True)
class Publishing:
    """What the release takes from pyproject.toml: the repository (for Colab) and the first cell's source."""

    repository: str
    pip_source: str

    @classmethod
    def from_pyproject(cls, path: Path) -> Publishing:
        import tomllib

        data = tomllib.loads(Path(path).read_text())
        urls = data.get("project", {}).get("urls", {})
        repository = urls.get("Repository")
        if not repository:
            raise ValueError(f"{path}: [project.urls] has no Repository (the Open-in-Colab links need it)")
        source = data.get("tool", {}).get("course", {}).get("pip-source") or data["project"]["name"]
        publishing = cls(repository=repository, pip_source=source)
        publishing.github()  # fail now on a URL Colab cannot open
        return publishing

    def github(self) -> tuple[str, str, str]:
        """(owner, repository, branch) of the GitHub repository (`/tree/<branch>` picks one; default main)."""
        match = _GITHUB.match(self.repository)
        if not match:
            raise ValueError(
                f"[project.urls] Repository = {self.repository!r}: Colab opens notebooks from GitHub, "
                "so it must read https://github.com/OWNER/NAME (optionally /tree/BRANCH)"
            )
        owner, name, branch = match.groups()
        return owner, name, branch or "main"

    def colab_url(self, path: str) -> str:
        """The Open-in-Colab link of the notebook at `path` in the repository (notebooks/chapter2/x.ipynb)."""
        owner, name, branch = self.github()
        return f"{COLAB}/github/{owner}/{name}/blob/{branch}/{path}"

    def badge(self, path: str) -> str:
        return f"[![Open In Colab]({BADGE_IMAGE})]({self.colab_url(path)})"

    def install_cell(self) -> str:
        return install_cell(self.pip_source)


@dataclass
class SyncReport:
    """What differs between the generated release and notebooks/ (paths relative to the repository).

    `problems` are what `course release` cannot fix itself (a solution's first cell, README markers).
    """

    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rewritten: list[str] = field(default_factory=list)  # solutions whose install cell was rewritten

    @property
    def in_sync(self) -> bool:
        return not (self.changed or self.missing or self.stale or self.problems)

    def lines(self) -> list[str]:
        return (
            [f"changed  {p}" for p in self.changed]
            + [f"missing  {p}" for p in self.missing]
            + [f"stale    {p}" for p in self.stale]
            + [f"problem  {p}" for p in self.problems]
            + [f"rewrote  {p} (its first cell: the install cell)" for p in self.rewritten]
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


def check_install_cells(source_root: Path, names: list[str], publishing: Publishing) -> list[str]:
    """Solutions whose first code cell is not the install cell (problems, paths relative to the project)."""
    import nbformat

    expected = publishing.install_cell()
    problems = []
    for name in names:
        for path in sorted((Path(source_root) / name).glob("*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            first = next((c for c in notebook.cells if c.cell_type == "code"), None)
            if first is None or first.source.rstrip() != expected:
                problems.append(
                    f"{Path(source_root).name}/{name}/{path.name}: the first code cell is not the install "
                    f"cell (course.grading.release.INSTALL_CELL with pip-source {publishing.pip_source!r}); "
                    f"`{INSTALL_CELLS_COMMAND}` rewrites it"
                )
    return problems


def write_install_cells(source_root: Path, names: list[str], publishing: Publishing) -> list[str]:
    """Make each solution's first code cell the install cell (its source only); the paths rewritten."""
    import nbformat

    expected = publishing.install_cell()
    written = []
    for name in names:
        for path in sorted((Path(source_root) / name).glob("*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            first = next((c for c in notebook.cells if c.cell_type == "code"), None)
            if first is None or first.source.rstrip() == expected:
                continue  # a notebook without code is left to its author (the check names it)
            first.source = expected
            nbformat.write(notebook, path)
            written.append(f"{Path(source_root).name}/{name}/{path.name}")
    return written


def add_colab_badges(release_dir: Path, names: list[str], publishing: Publishing, prefix: str) -> None:
    """Put an Open-in-Colab badge cell first in each generated notebook (`prefix`: its folder in the repo)."""
    import nbformat

    for name in names:
        for path in sorted((Path(release_dir) / name).glob("*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            badge = nbformat.v4.new_markdown_cell(
                publishing.badge(f"{prefix}/{name}/{path.name}"), id=BADGE_CELL_ID
            )
            notebook.cells = [badge, *[c for c in notebook.cells if c.get("id") != BADGE_CELL_ID]]
            nbformat.write(notebook, path)


def _title(path: Path) -> str:
    import nbformat

    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def readme_block(release_dir: Path, names: list[str], publishing: Publishing, prefix: str) -> str:
    """The README's Open-in-Colab table (between the markers), one row per student notebook."""
    rows = ["| chapter | notebook | open in Colab |", "|---|---|---|"]
    for name in names:
        chapter = re.sub(r"^chapter", "", name)
        for path in sorted((Path(release_dir) / name).glob("*.ipynb")):
            where = f"{prefix}/{name}/{path.name}"
            rows.append(f"| {chapter} | [{_title(path)}]({where}) | {publishing.badge(where)} |")
    return "\n".join(rows)


def _replace_block(text: str, block: str) -> str | None:
    """README text with the block between the markers replaced; None when the markers are missing."""
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        return None
    head = text[: start + len(README_START)]
    return f"{head}\n{block}\n{text[end:]}"


def release(
    source_root: Path | None = None,
    target: Path | None = None,
    *,
    check: bool = False,
    project: Path | str | None = None,
    publishing: Publishing | None = None,
    readme: Path | None = None,
    install_cells: bool = False,
) -> SyncReport:
    """Regenerate `target` from `source_root` (or, with check=True, only report what would change).

    With neither given, both come from the course project (`find_project(project)`: solutions/ and
    notebooks/), and so do `publishing` (pyproject.toml) and `readme` (README.md): the Colab badges, the
    README's links block and the install-cell check are then part of the release.
    `install_cells` (not with `check`) first rewrites the solutions' first code cells to the install
    cell (`write_install_cells`); they are listed in the report's `rewritten`.
    Returns the differences found before writing; after a write `target` is in sync.
    """
    if source_root is None and target is None:
        root = find_project(project)
        source_root, target = root / SOURCE, root / RELEASE
        publishing = publishing or Publishing.from_pyproject(root / "pyproject.toml")
        readme = readme or root / "README.md"
    elif source_root is None or target is None:
        raise ValueError("give both source_root and target, or neither (the course project's)")
    source_root, target = Path(source_root), Path(target)
    names = assignments(source_root)
    rewritten = []
    if install_cells and not check and publishing is not None:
        rewritten = write_install_cells(source_root, names, publishing)
    with tempfile.TemporaryDirectory(prefix="course-release-") as tmp:
        generated = build_release(source_root, Path(tmp)) if names else Path(tmp) / RELEASE
        new_readme = None
        if publishing is not None:
            add_colab_badges(generated, names, publishing, target.name)
        report = compare(generated, target, names)
        report.rewritten = rewritten
        if publishing is not None:
            report.problems += check_install_cells(source_root, names, publishing)
        if readme is not None and publishing is not None:
            text = Path(readme).read_text() if Path(readme).is_file() else ""
            new_readme = _replace_block(text, readme_block(generated, names, publishing, target.name))
            if new_readme is None:
                report.problems.append(
                    f"{Path(readme).name}: no Open-in-Colab block; put the two lines {README_START} and "
                    f"{README_END} where the links belong, then run `course release`"
                )
            elif new_readme != text:
                report.changed.append(f"{Path(readme).name} (the Open-in-Colab links)")
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
        if new_readme is not None and new_readme != Path(readme).read_text():
            Path(readme).write_text(new_readme)
        return report
