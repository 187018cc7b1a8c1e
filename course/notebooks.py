"""Find and execute the chapter notebooks (the main job, and refreshing stored outputs)."""

from __future__ import annotations

import os
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
STUDENT = REPO / "notebooks"
CELL_TIMEOUT_S = 600


def notebook_paths(root: Path = SOLUTIONS) -> list[Path]:
    """All chapter notebooks under `root`, in course order (chapter folder, then file name)."""
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
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    started = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - started
    if save:
        nbformat.write(notebook, path)
    return elapsed
