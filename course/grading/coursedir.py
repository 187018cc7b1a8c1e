"""Step 2 of `course grade`: OUT cleared of an earlier run's files, and OUT/nbgrader prepared."""

from __future__ import annotations

import shutil
from pathlib import Path

from course.grading.config import RELEASE, SOURCE, assignments, load_config, run_converter
from course.grading.release import IGNORE, normalise
from course.notebooks import REPO

OWNED = ("nbgrader", "work", "logs", "feedback", "scores.csv", "report.html", "summary.txt", "results.json")


def clear_output(out: Path) -> None:
    """Remove only what an earlier run of `course grade` wrote into `out` (OUT/cache stays)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in OWNED:
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def prepare_course(out: Path, source_root: Path) -> tuple[Path, dict[str, list[str]]]:
    """OUT/nbgrader with the source, its release and a gradebook that knows every assignment."""
    from nbgrader.converters import GenerateAssignment

    course = out / "nbgrader"
    names = assignments(source_root)
    if not names:
        raise RuntimeError(f"no assignments (folders with notebooks) under {source_root}")
    for name in names:
        shutil.copytree(source_root / name, course / SOURCE / name, ignore=IGNORE)
    config = load_config(course)
    for name in names:
        run_converter(GenerateAssignment, config, assignment_id=name)
    for notebook in (course / RELEASE).glob("*/*.ipynb"):
        normalise(notebook)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig({str(REPO / 'nbgrader_config.py')!r})  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(course.resolve())!r}\n"
    )
    expected = {name: sorted(p.stem for p in (source_root / name).glob("*.ipynb")) for name in names}
    return course, expected
