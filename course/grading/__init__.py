"""nbgrader glue for instructors: release the student notebooks, grade a class, report.

One module per job:
  config          the repository's nbgrader_config.py, pointed at another course directory
  release         `course release`: notebooks/ regenerated from solutions/, and the sync check
  submissions     finding and pre-screening a folder of submissions (invalid JSON, missing, huge)
  scan            the static tampering scan of the learner's cells
  preprocessors   GuardedExecute: nbgrader's Execute that survives kernel death and runaway output
  worker          grades one (student, notebook) in its own process and course directory
  gradebook       merges the workers' gradebooks into the class gradebook
  report          CSV, summary table, per-student feedback index, class report with chart
  grade           `course grade`: the whole batch, in parallel
  trusted         what hidden tests use: checks loaded afresh from disk, strict comparisons
"""
