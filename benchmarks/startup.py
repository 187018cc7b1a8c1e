"""Start-up costs: `import course` and `course.setup()` offline, each in a fresh interpreter.

python benchmarks/startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

IMPORT = "import time; t = time.perf_counter(); import course; print(time.perf_counter() - t)"
SETUP = (
    "import time, course; t = time.perf_counter(); course.setup(verbose=False); "
    "print(time.perf_counter() - t)"
)


def timed(code: str, repeat: int, env: dict) -> list[float]:
    """Seconds reported by `code`, once per fresh interpreter."""
    return [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
            ).stdout.split()[-1]
        )
        for _ in range(repeat)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    forced = dict(os.environ, HF_HUB_OFFLINE="1")
    probed = {k: v for k, v in os.environ.items() if k not in {"HF_HUB_OFFLINE", "COURSE_OFFLINE"}}
    rows = [
        ("import course", timed(IMPORT, args.repeat, forced), 0.2),
        ("setup(), HF_HUB_OFFLINE=1", timed(SETUP, args.repeat, forced), 1.0),
        ("setup(), offline detected by probe", timed(SETUP, args.repeat, probed), 1.0),
    ]
    print(f"{'what':<38}{'median s':>10}{'max s':>8}{'target s':>10}")
    for name, values, target in rows:
        print(f"{name:<38}{statistics.median(values):>10.3f}{max(values):>8.3f}{target:>10.1f}")


if __name__ == "__main__":
    main()
