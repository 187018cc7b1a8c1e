"""nbgrader glue for instructors: release the student notebooks, grade a class, report.

One module per job:
  config          the repository's nbgrader_config.py, pointed at another course directory
  release         `course release`: notebooks/ regenerated from solutions/, and the sync check
  submissions     finding and pre-screening a folder of submissions (invalid JSON, missing, huge)
  scan            the static tampering scan of the learner's cells
  preprocessors   GuardedExecute: nbgrader's Execute that survives kernel death and runaway output
  worker          grades one (student, notebook) in its own process and course directory
  sandbox         the student's kernel in bubblewrap: read-only allow-list, no network, own user, limits
  gradebook       merges the workers' gradebooks into the class gradebook
  report          CSV, summary table, per-student feedback index, class report with chart
  grade           `course grade`: the whole batch, in parallel
  trusted         what hidden tests use: the library's loaders, checks loaded afresh from disk
  probe           in the kernel: hidden tests emit the learner's results on hidden inputs
  verdict         outside it: those results against the solution's, a missing or wrong one scores 0
"""

import os
import sys

# nbgrader runs the `alembic` command (and kernels are found) through PATH: put this interpreter's
# bin folder first, so grading works with an unactivated venv (`.venv/bin/course grade ...`).
_BIN = os.path.dirname(sys.executable)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")
