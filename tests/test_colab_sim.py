"""Issue #12, part 3: Colab, simulated. The wheel, installed by a student notebook's own first cell.

- The wheel is built from the checkout (`python -m build`, on a copy) into a temporary wheelhouse.
- A fresh venv outside the checkout stands for Colab's runtime. Colab comes with torch, transformers,
  datasets...: this venv sees the test venv's packages through a .pth line naming a folder of links to
  them, without `course` (its editable finder, dist-info and .pth files are left out), so `import
  course` fails there until the first cell installs it, and pip sees everything else as installed.
- Colab is faked by a `google.colab` module on PYTHONPATH and COLAB_RELEASE_TAG.
- A student notebook's cells up to its first self-check run in a Jupyter kernel of that venv, from a
  temporary folder, with pip limited to the wheelhouse (PIP_NO_INDEX, PIP_FIND_LINKS, no pip.conf): the
  first cell takes its install branch with the default source, the distribution's name
  (hf-course-notebooks, as `pip install` finds it in the wheelhouse). Then the self-check
  runs on the stub ([NOT YET]) and on the solution ([PASSED]).
- Checked: course came from the wheel, not editable, into the new venv; nothing else was installed or
  replaced (torch is the same build, still the preinstalled one); setup() reports Colab; nothing of the
  checkout is read. Then a whole solution notebook runs there from the temporary folder.

The offline home is built in a temporary COURSE_CACHE_DIR (the sentiment stand-in linked in), so the
machine's own home is never rewritten.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from distbuild import REPO, build

pytestmark = pytest.mark.slow

NOTEBOOK = Path("chapter2") / "03_tokenizers.ipynb"
# Left out of the simulated preinstalled stack: course itself (editable finder, metadata under the
# distribution's name, hf-course-notebooks, or the old name, course) and .pth files.
HIDDEN = re.compile(
    r"^(course|(course|hf_course_notebooks)-.*\.(dist|egg)-info|course\.egg-link|__editable__.*|__pycache__"
    r"|.*\.pth)$"
)
DIST_INFO = "hf_course_notebooks-{version}.dist-info"  # [project] name, normalised as wheels write it
MARK = "COLAB-SIM "

BEFORE = """\
import importlib.metadata, importlib.util, json, sys
try:
    importlib.metadata.version("hf-course-notebooks")
    metadata = True
except importlib.metadata.PackageNotFoundError:
    metadata = False
print("COLAB-SIM " + json.dumps({"course": importlib.util.find_spec("course") is not None,
      "metadata": metadata, "colab_module": importlib.util.find_spec("google.colab") is not None,
      "executable": sys.executable}))"""

AFTER = """\
import importlib.metadata, json, os, sys
import torch
from course import data, notebooks
saved = os.environ.pop("COURSE_DATA_DIR")
try:
    default_data = str(data.data_dir())
finally:
    os.environ["COURSE_DATA_DIR"] = saved
try:
    notebooks.find_project()
    project = "found"
except notebooks.ProjectNotFoundError as error:
    project = str(error)
print("COLAB-SIM " + json.dumps({
    "course_file": course.__file__, "version": importlib.metadata.version("hf-course-notebooks"),
    "torch": torch.__version__, "torch_file": torch.__file__, "colab": env.colab, "report": env.report(),
    "checkout": str(notebooks.source_checkout()), "default_data": default_data, "project": project,
    "cwd": os.getcwd(), "course_modules_elsewhere": sorted(
        name for name, module in sys.modules.items() if name.split(".")[0] == "course"
        and not str(getattr(module, "__file__", None) or "").startswith(os.path.dirname(course.__file__))),
}))"""

DRIVER = """\
import sys, time
import nbformat
from nbclient import NotebookClient
path, out, allow = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
notebook = nbformat.read(path, as_version=4)
started = time.perf_counter()
client = NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=allow,
                        resources={"metadata": {"path": "."}})
client.execute()
notebook.metadata["colab_sim_seconds"] = time.perf_counter() - started
nbformat.write(notebook, out)
"""


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def _errors(cell) -> list[str]:
    return [o["ename"] for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def _record(text: str) -> dict[str, str]:
    """{path: sha256} of a wheel RECORD's lines for the package's own files."""
    rows = [row.split(",") for row in text.splitlines()]
    return {row[0]: row[1] for row in rows if row[0].startswith("course/") and "__pycache__" not in row[0]}


def _probe(cell) -> dict:
    line = next(line for line in _stdout(cell).splitlines() if line.startswith(MARK))
    return json.loads(line[len(MARK) :])


def _run(python: Path, notebook, workdir: Path, env: dict, *, allow_errors: bool):
    """Execute `notebook` in a kernel of `python`'s venv, in `workdir`; the executed notebook."""
    source, out = workdir / "in.ipynb", workdir / "out.ipynb"
    nbformat.write(notebook, source)
    done = subprocess.run(
        [str(python), "-c", DRIVER, source.name, out.name, "1" if allow_errors else "0"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"the notebook failed in the simulated runtime:\n{done.stderr[-4000:]}"
    return nbformat.read(out, as_version=4)


@pytest.fixture(scope="module")
def colab(tmp_path_factory):
    """Build the wheel, make the simulated Colab runtime, run the student notebook's first cells in it."""
    from course import standins

    times = {}
    root = tmp_path_factory.mktemp("colab-sim")
    assert not root.resolve().is_relative_to(REPO)
    found, times["build the wheel"] = build(root / "build", sdist=False)
    wheelhouse = root / "wheelhouse"
    wheelhouse.mkdir()
    wheel = Path(shutil.copy(found["wheel"], wheelhouse))

    started = time.perf_counter()
    venv = root / "colab-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # Colab's stack: this venv's packages, course left out. Inside the new venv's prefix, as Colab's own
    # dist-packages are inside its: dill (datasets' fingerprints) pickles modules from elsewhere by value.
    preinstalled = venv / "lib" / "colab-dist-packages"
    preinstalled.mkdir()
    ours = Path(sysconfig.get_paths()["purelib"])
    for entry in ours.iterdir():
        if not HIDDEN.match(entry.name):
            (preinstalled / entry.name).symlink_to(entry)
    (site / "colab-preinstalled.pth").write_text(f"{preinstalled}\n")
    fake = root / "fake-colab" / "google" / "colab"  # a namespace package `google`, as Colab's
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        '"""Stands in for Colab\'s google.colab (tests/test_colab_sim.py)."""\n'
    )
    cache = root / "course-cache"  # a fresh course cache: the sentiment stand-in linked, the rest built
    cache.mkdir()
    sentiment = standins.sentiment_dir()
    assert (sentiment / "config.json").is_file(), "run `course prepare-offline` first"
    (cache / sentiment.name).symlink_to(sentiment)
    workdir = root / "work"
    workdir.mkdir()
    times["make the venv"] = time.perf_counter() - started

    env = {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(root / "home"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(root / "fake-colab"),
        "COLAB_RELEASE_TAG": "release-colab-sim",
        # pip sees the local wheelhouse only: no index, no pip.conf, no cache
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheelhouse),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_CACHE_DIR": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "HF_HUB_OFFLINE": "1",
        "COURSE_DATA_DIR": os.environ["COURSE_DATA_DIR"],
        "COURSE_CACHE_DIR": str(cache),
        "COURSE_FAST": "1",
        "OMP_NUM_THREADS": "1",
    }
    # the student notebook as released, up to its first self-check; probes before and after
    student = nbformat.read(REPO / "notebooks" / NOTEBOOK, as_version=4)
    solution = nbformat.read(REPO / "solutions" / NOTEBOOK, as_version=4)
    cells = student.cells
    first_code = next(i for i, c in enumerate(cells) if c.cell_type == "code")
    check = next(i for i, c in enumerate(cells) if c.cell_type == "code" and "course.check(" in c.source)
    stub = next(
        i for i in range(check, 0, -1) if cells[i].get("metadata", {}).get("nbgrader", {}).get("solution")
    )
    grade_id = cells[stub].metadata["nbgrader"]["grade_id"]
    answer = next(
        c for c in solution.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id
    )
    new = nbformat.v4.new_code_cell
    run = nbformat.v4.new_notebook(metadata=student.metadata)
    run.cells = [
        *cells[:first_code],
        new(BEFORE),
        *cells[first_code : check + 1],
        new(answer.source),
        new(cells[check].source),
        new(AFTER),
    ]
    installed_before = {p.name for p in site.iterdir()}
    started = time.perf_counter()
    executed = _run(python, run, workdir, env, allow_errors=True)
    times["run the first cells"] = time.perf_counter() - started
    offset = 1  # the BEFORE probe shifts the student's cells from the first code cell on
    return {
        "executed": executed,
        "cells": {
            "before": first_code,
            "install": first_code + offset,
            "stub": stub + offset,
            "check": check + offset,
            "check_again": check + offset + 2,
            "after": check + offset + 3,
        },
        "site": site,
        "venv": venv,
        "python": python,
        "wheel": wheel,
        "workdir": workdir,
        "env": env,
        "installed_before": installed_before,
        "times": times,
    }


def test_colab_first_cell_installs_the_wheel_and_setup_reports_colab(colab):
    cells, at = colab["executed"].cells, colab["cells"]
    before, after = _probe(cells[at["before"]]), _probe(cells[at["after"]])
    times = colab["times"]
    print("\nsimulated Colab: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()))

    # before the first cell: no course at all (the editable install did not leak), Colab faked
    assert before == {
        "course": False,
        "metadata": False,
        "colab_module": True,
        "executable": str(colab["python"]),
    }
    # the first cell took its install branch: the wheel from the wheelhouse, not editable, into the new venv
    site = colab["site"]
    assert Path(after["course_file"]).resolve().is_relative_to(site.resolve())
    dist_info = DIST_INFO.format(version=after["version"])
    with zipfile.ZipFile(colab["wheel"]) as wheel:
        shipped = _record(wheel.read(f"{dist_info}/RECORD").decode())
    installed = _record((site / dist_info / "RECORD").read_text())
    assert installed == shipped  # the wheelhouse's files, hashes and all
    assert not (site / dist_info / "direct_url.json").exists()  # found by its name (no URL, no editable)
    new = {p.name for p in site.iterdir()} - colab["installed_before"]
    assert new == {"course", dist_info}, "the first cell installed more than course"
    assert (colab["venv"] / "bin" / "course").is_file()
    # torch is the preinstalled build, unchanged (pip was told to keep it)
    import torch

    assert after["torch"] == torch.__version__
    assert not Path(after["torch_file"]).resolve().is_relative_to(site.resolve())
    # setup() reports Colab, in the cell's own output too
    assert after["colab"] and "running in Colab" in after["report"]
    assert "running in Colab" in _stdout(cells[at["install"]]) and not _errors(cells[at["install"]])
    # nothing of the checkout: no module from it, no checkout-relative default, no project found
    assert after["course_modules_elsewhere"] == [] and after["checkout"] == "None"
    assert after["cwd"] == str(colab["workdir"])
    assert after["default_data"] == str((Path(colab["env"]["COURSE_CACHE_DIR"]) / "data").resolve())
    assert "COURSE_PROJECT_DIR" in after["project"]


def test_colab_self_check_runs_on_the_stub_and_on_the_answer(colab):
    cells, at = colab["executed"].cells, colab["cells"]
    errors = {i: _errors(c) for i, c in enumerate(cells) if _errors(c)}
    assert errors == {at["stub"]: ["NotImplementedError"]}  # only the exercise left to the learner
    assert "[NOT YET]" in _stdout(cells[at["check"]])
    assert "[PASSED]" in _stdout(cells[at["check_again"]])


def test_a_whole_notebook_runs_from_outside_the_checkout_with_the_wheel(colab):
    """A learner's machine (not Colab) with the wheel: a whole solution notebook runs, all checks pass."""
    env = {k: v for k, v in colab["env"].items() if k not in {"COLAB_RELEASE_TAG", "PYTHONPATH"}}
    notebook = nbformat.read(REPO / "solutions" / NOTEBOOK, as_version=4)
    started = time.perf_counter()
    executed = _run(colab["python"], notebook, colab["workdir"], env, allow_errors=False)
    print(f"\n{NOTEBOOK} with the wheel, from {colab['workdir']}: {time.perf_counter() - started:.1f} s")
    outputs = [_stdout(c) for c in executed.cells if c.cell_type == "code"]
    assert "running in a script" not in outputs[0] and "running in Jupyter" in outputs[0]
    assert "running in Colab" not in outputs[0]
    checks = [o for o in outputs if "[PASSED]" in o or "[NOT YET]" in o]
    assert checks and all("[NOT YET]" not in o for o in checks)
