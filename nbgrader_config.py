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

# Feedback shows each test's verdict and message, not the hidden tests' code (nor tracebacks quoting it),
# nor the probes a test cell emitted (the learner's results on hidden inputs; see course/grading/probe.py).
# Hidden test regions are cleared in test cells only (text in a learner's cell is theirs, and never
# breaks the feedback), and any output quoting a hidden test line is replaced by a note.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "course.grading.preprocessors.ClearHiddenTestsSafely",
    "course.grading.preprocessors.HideHiddenTestTracebacks",
    "course.grading.preprocessors.RedactHiddenTests",
    "course.grading.preprocessors.HideProbes",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# The sandbox of every student kernel (course/grading/sandbox.py): bubblewrap, a user of its own, no
# network, a private /tmp, and these limits (`course grade --memory-mb ...` overrides them). Measured on
# the heaviest notebook, chapter3/08 (training loops, fast mode; python benchmarks/sandbox.py --notebooks
# ...): 3.3 GB address space, 1.5 GB resident (1.3 GB in its cgroup), 14 threads, 49 s CPU.
c.Sandbox.memory_mb = 6144  # address space per process (prlimit --as): ~1.9x the 3.3 GB measured
c.Sandbox.total_memory_mb = 3072  # resident memory of the whole sandbox, /tmp included (cgroup): 2x
c.Sandbox.processes = 64  # processes and threads (prlimit --nproc, a cgroup's pids.max): 08 used 14
c.Sandbox.file_mb = 512  # largest file (prlimit --fsize): a saved stand-in model is ~90 MB
c.Sandbox.cpu_s = 3600  # CPU seconds per process (prlimit --cpu): a backstop behind the cell timeout
c.Sandbox.scratch_mb = 1024  # the private /tmp (tmpfs): cwd, $HOME, tempfile, the datasets cache mirror
