"""Root pytest configuration: the README's `python -m pytest` also runs every solution notebook with nbval.

nbval options are set here rather than in `addopts`, so `-p no:nbval` still works for quick unit runs.
"""

import os
from pathlib import Path

# One torch thread per process: the suite runs two pytest workers on two cores (README), and the stored
# notebook outputs were made with one thread (`course run-notebooks --save`), so floats match exactly.
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Notebooks run in fast mode under pytest, whichever paths are given (nbval kernels inherit this).
os.environ.setdefault("COURSE_FAST", "1")

SANITIZE = Path(__file__).parent / ".ci" / "nbval_sanitize.cfg"


def pytest_configure(config):
    option = config.option
    if not hasattr(option, "nbval"):  # nbval disabled with -p no:nbval
        return
    if not option.nbval_lax:
        option.nbval = True
    option.nbval_current_env = True
    if option.nbval_sanitize_with is None:
        option.nbval_sanitize_with = str(SANITIZE)
