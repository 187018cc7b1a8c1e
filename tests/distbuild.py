"""Build the `course` distributions the way a release does, without writing into the checkout.

`python -m build` runs on a copy of what a fresh clone holds for the package (pyproject.toml, README.md,
course/), so its build/ and *.egg-info folders never land in the shared working tree. `--no-isolation`
uses this venv's setuptools and build (both pinned in CI): no index is asked for anything.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOP_FILES = ("pyproject.toml", "README.md", "MANIFEST.in", "LICENSE")


def copy_sources(dest: Path) -> Path:
    """What a clone holds for the package, copied to `dest` (no caches, no build outputs)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in TOP_FILES:
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, dest / name)
    shutil.copytree(
        REPO / "course", dest / "course", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    )
    return dest


def build(work: Path, *, sdist: bool = True) -> tuple[dict[str, Path], float]:
    """`python -m build` on a copy of the sources: {"wheel": ..., "sdist": ...} and the seconds it took.

    With `sdist`, the wheel is built from the unpacked sdist (build's default), so the wheel proves that
    the sdist carries everything; without, only the wheel, straight from the sources.
    """
    source = copy_sources(work / "src")
    out = work / "dist"
    command = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)]
    if not sdist:
        command.insert(-1, "--wheel")
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - started
    assert done.returncode == 0, f"python -m build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    found = {"wheel": next(out.glob("hf_course_notebooks-*.whl"))}  # [project] name, normalised
    if sdist:
        found["sdist"] = next(out.glob("hf_course_notebooks-*.tar.gz"))
    return found, seconds
