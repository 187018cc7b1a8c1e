"""Issue #21 part 5: `course run-notebooks` is quiet: one line per notebook, no kernel warnings.

Its kernels listen on IPC sockets in a private temporary folder (not TCP on 127.0.0.1, which any local
user holding the connection file can reach, and about which ipykernel warns on the terminal).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import nbformat

PROBE = """\
import json, os, stat
from ipykernel.connect import get_connection_file, get_connection_info
folder = os.path.dirname(get_connection_file())
print(json.dumps({"transport": json.loads(get_connection_info())["transport"], "folder": folder,
                  "mode": stat.S_IMODE(os.stat(folder).st_mode)}))"""


def _notebook(path: Path, source: str) -> Path:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(notebook, path)
    return path


def test_run_notebooks_prints_one_line_per_notebook_and_its_kernels_use_private_ipc(tmp_path):
    first = _notebook(tmp_path / "probe.ipynb", PROBE)
    second = _notebook(tmp_path / "second.ipynb", "import warnings\nwarnings.warn('kept in the notebook')")
    command = [sys.executable, "-m", "course.cli", "run-notebooks", "--save", str(first), str(second)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == "", f"run-notebooks printed to stderr (kernel warnings?):\n{done.stderr}"
    lines = done.stdout.splitlines()
    assert len(lines) == 3, lines  # one per notebook, then the total
    assert lines[0].startswith("ok ") and lines[0].endswith(str(first))
    assert lines[1].startswith("ok ") and lines[1].endswith(str(second))
    assert lines[2].startswith("2 of 2 notebooks ran in ")
    outputs = nbformat.read(first, as_version=4).cells[0].outputs
    seen = json.loads(outputs[0]["text"])
    assert seen["transport"] == "ipc"
    assert Path(seen["folder"]).name.startswith("course-kernel-") and seen["mode"] & 0o777 == stat.S_IRWXU
    assert not Path(seen["folder"]).exists(), "the kernel's private folder is removed after the run"
    # what a notebook itself warns stays in the notebook, as before
    warned = nbformat.read(second, as_version=4).cells[0].outputs
    assert any("kept in the notebook" in o.get("text", "") for o in warned)


def test_a_failing_notebook_is_one_line_too(tmp_path):
    broken = _notebook(tmp_path / "broken.ipynb", "1 / 0")
    command = [sys.executable, "-m", "course.cli", "run-notebooks", str(broken)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and done.stderr == "", done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"FAILED  {broken}: CellExecutionError") and "ZeroDivisionError" in lines[0], (
        lines
    )
    assert lines[1] == "0 of 1 notebooks ran in 0 s"
