"""Find and execute the chapter notebooks (the main job, and refreshing stored outputs).

The instructor's commands (`course release`, `course run-notebooks`, `course grade`) work on a course
project: a checkout of the repository, a folder holding `solutions/` and `nbgrader_config.py`. Which one
is never guessed from where the package is installed (a wheel in site-packages has none): an explicit
path, else $COURSE_PROJECT_DIR, else the current directory or one above it, else the checkout an
editable install runs from; otherwise `find_project` fails and says so. Learners need no project: the
notebooks only `import course`.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

PROJECT_VARIABLE = "COURSE_PROJECT_DIR"
CELL_TIMEOUT_S = 600


class ProjectNotFoundError(FileNotFoundError):
    """No course project (solutions/ and nbgrader_config.py) where the instructor's commands looked."""


def is_project(folder: Path) -> bool:
    """True for a folder holding a course project: `solutions/` and `nbgrader_config.py`."""
    return (folder / "solutions").is_dir() and (folder / "nbgrader_config.py").is_file()


def source_checkout() -> Path | None:
    """The repository checkout this package is imported from (an editable install), else None (a wheel)."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() else None


def find_project(explicit: Path | str | None = None, *, required: bool = True) -> Path | None:
    """The course project the instructor's commands work on (see the module's docstring for the order)."""
    given = explicit if explicit is not None else os.environ.get(PROJECT_VARIABLE)
    if given:
        folder = Path(given).expanduser().resolve()
        if is_project(folder):
            return folder
        if required:
            source = "given" if explicit is not None else f"${PROJECT_VARIABLE}"
            raise ProjectNotFoundError(
                f"{folder} ({source}) is not a course project: it lacks solutions/ or nbgrader_config.py."
            )
        return None
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if is_project(folder):
            return folder
    checkout = source_checkout()
    if checkout is not None and is_project(checkout):
        return checkout
    if required:
        raise ProjectNotFoundError(
            f"No course project in {here} or above it: `course release`, `course run-notebooks` and "
            "`course grade` work on a checkout of the course repository (solutions/, nbgrader_config.py). "
            f"Run them from its folder, or set {PROJECT_VARIABLE} to it. An installed `course` (a wheel) "
            "carries no notebooks; learners need none of this."
        )
    return None


# The project found when this module was imported (the current directory when there is none, so that
# these stay paths; whatever needs the files then fails on the missing folder).
REPO = find_project(required=False) or Path.cwd()
SOLUTIONS = REPO / "solutions"
STUDENT = REPO / "notebooks"


def notebook_paths(root: Path | None = None) -> list[Path]:
    """All chapter notebooks under `root` (default: the project's solutions/), in course order."""
    root = Path(root) if root is not None else find_project() / "solutions"
    return sorted(p for p in root.glob("*/*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def execute(path: Path, save: bool = False, fast: bool | None = None, timeout: int = CELL_TIMEOUT_S) -> float:
    """Run a notebook top to bottom in a fresh kernel; optionally store its outputs. Returns seconds.

    `fast` sets COURSE_FAST for the kernel (None keeps the current environment).
    """
    import nbformat
    from nbclient import NotebookClient

    if fast is not None:
        os.environ["COURSE_FAST"] = "1" if fast else "0"
    if save:  # stored outputs are made as the tests run them: one torch thread
        os.environ["OMP_NUM_THREADS"] = "1"
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="course-kernel-") as private:
        client = NotebookClient(
            notebook,
            config=ipc_kernel_config(Path(private)),  # the client owns (and shuts down) its kernel
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        started = time.perf_counter()
        client.execute()
        elapsed = time.perf_counter() - started
    if save:
        nbformat.write(notebook, path)
    return elapsed


def ipc_kernel_config(private: Path):  # noqa: ANN201 - a traitlets Config
    """Kernel-manager settings: the kernel listens on IPC sockets in `private`, a folder only we can open.

    Jupyter's default is TCP on 127.0.0.1, where any local user who can read the connection file reaches
    the kernel, and the kernel warns about it on the terminal; Unix sockets in a private folder are
    reachable by their owner only. The grader does the same inside its sandbox (course.grading.sandbox).
    """
    from traitlets.config import Config

    private.chmod(0o700)
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(private / "k")  # sockets <ip>-<port>: short, under the socket path limit
    config.KernelManager.connection_file = str(private / "kernel.json")
    return config
