"""Run every solution notebook in fast mode, going on after errors; write a table of what broke.

python .ci/canary_notebooks.py OUT_DIR      # writes OUT_DIR/report.md; exit 1 when a cell raised
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent


def errors_of(path: Path) -> tuple[list[tuple[int, str]], float]:
    """(cell index, 'Error: message') for every cell that raised, and the run's seconds."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        allow_errors=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    client.execute()
    found = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                value = str(output.get("evalue", "")).strip().splitlines()
                found.append((index, f"{output.get('ename')}: {value[0][:160] if value else ''}"))
    return found, time.perf_counter() - started


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    versions = (out / "versions.txt").read_text().split() if (out / "versions.txt").is_file() else []
    lines = ["# Canary: the newest Hugging Face releases", "", "Versions: " + ", ".join(versions), ""]
    lines += ["| notebook | cell | error |", "|---|---|---|"]
    broken = 0
    for path in sorted((REPO / "solutions").glob("*/*.ipynb")):
        # nbgrader test cells of unanswered exercises do not exist here: these are the solutions
        found, seconds = errors_of(path)
        print(f"{'ok  ' if not found else 'FAIL'} {seconds:6.1f} s  {path.relative_to(REPO)}", flush=True)
        for index, error in found:
            lines.append(f"| {path.stem} | {index} | {error.replace('|', '/')} |")
        broken += bool(found)
    if not broken:
        lines.append("| (none) | | every cell of every notebook ran |")
    (out / "report.md").write_text("\n".join(lines) + "\n")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
