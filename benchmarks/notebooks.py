"""Notebook costs: wall time and peak memory of each solution notebook run offline in fast mode.

Each notebook runs in its own `course run-notebooks` process under GNU time, so the peak resident
memory of the kernel is measured too (the largest process of the tree).

    python benchmarks/notebooks.py [notebook ...]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def run(path: Path) -> tuple[float, float, bool]:
    """(seconds, peak GB of the kernel, ok) for one notebook."""
    env = dict(os.environ, COURSE_FAST="1", HF_HUB_OFFLINE="1")
    # GNU time reports the largest resident set in the reaped process tree: the kernel's, in practice.
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "-m", "course.cli", "run-notebooks", str(path)],
        capture_output=True,
        text=True,
        env=env,
    )
    seconds = time.perf_counter() - started
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    peak = int(match.group(1)) / 1024**2 if match else float("nan")
    return seconds, peak, done.returncode == 0


def main() -> None:
    from course.notebooks import notebook_paths

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args()
    paths = [Path(p) for p in args.notebooks] or notebook_paths()
    print(f"{'notebook':<44}{'seconds':>9}{'peak GB':>9}  ok")
    total = 0.0
    for path in paths:
        seconds, peak, ok = run(path)
        total += seconds
        print(f"{str(path.relative_to(REPO)):<44}{seconds:>9.1f}{peak:>9.2f}  {'yes' if ok else 'FAILED'}")
    print(f"{'all notebooks':<44}{total:>9.1f}")


if __name__ == "__main__":
    main()
