"""Root pytest configuration: the README's `python -m pytest` also runs every solution notebook with nbval.

nbval options are set here rather than in `addopts`, so `-p no:nbval` still works for quick unit runs.
"""

from pathlib import Path

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
