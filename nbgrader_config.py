"""nbgrader configuration of the course (nbgrader 0.9.x).

Assignments are chapters: ``solutions/chapter2/*.ipynb`` is the source of assignment ``chapter2``
and ``notebooks/chapter2/*.ipynb`` its release (one gradebook entry per notebook).

``course release`` and ``course grade`` load this file and only move the course directory and the
gradebook to a temporary or output folder; plain ``nbgrader ...`` commands run in the repository
use it as it is (the gradebook is then ./gradebook.db, which git ignores).
"""

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.CourseDirectory.course_id = "hf-course-ch2-3"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".nbgrader.log"]

# Execution while autograding: training cells need far more than nbgrader's default 30 s.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
c.Execute.iopub_timeout = 4

# Autograding: the course's guarded executor (kernel death, runaway output, tampering scan; see
# course/grading/preprocessors.py) replaces nbgrader's Execute; the rest is nbgrader's default.
c.Autograde.autograde_preprocessors = [
    "course.grading.preprocessors.GuardedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# A deleted test cell comes back from the gradebook (and is graded) instead of silently scoring nothing.
c.OverwriteCells.add_missing_cells = True
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

# Feedback shows each test's verdict and message, not the hidden tests' code (nor tracebacks quoting it).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "course.grading.preprocessors.HideHiddenTestTracebacks",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
