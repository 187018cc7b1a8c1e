"""The repository's nbgrader configuration, loaded as a traitlets Config and pointed at a course directory."""

from __future__ import annotations

from pathlib import Path

from course.notebooks import REPO

CONFIG_FILE = REPO / "nbgrader_config.py"
SOURCE = "solutions"
RELEASE = "notebooks"


def load_config(course_dir: Path, *, timeout: int | None = None):
    """nbgrader_config.py with the course directory and the gradebook moved to `course_dir`."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent)).load_config()
    course_dir = Path(course_dir).resolve()
    override = Config()
    override.CourseDirectory.root = str(course_dir)
    override.CourseDirectory.db_url = f"sqlite:///{course_dir / 'gradebook.db'}"
    override.CourseDirectory.source_directory = SOURCE
    override.CourseDirectory.release_directory = RELEASE
    if timeout is not None:
        override.Execute.timeout = int(timeout)
    config.merge(override)
    return config


def default_timeout() -> int:
    """The per-cell timeout nbgrader_config.py sets."""
    return int(load_config(REPO).Execute.timeout)


def assignments(source_root: Path) -> list[str]:
    """Assignment ids: the folders of `source_root` that hold notebooks (chapter2, chapter3)."""
    return (
        sorted(p.name for p in Path(source_root).iterdir() if p.is_dir() and any(p.glob("*.ipynb")))
        if Path(source_root).is_dir()
        else []
    )


def run_converter(converter_class, config, **coursedir_values) -> None:
    """Run an nbgrader converter (GenerateAssignment, Autograde, GenerateFeedback) in this process.

    Raises RuntimeError with nbgrader's message when it fails.
    """
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    for key, value in coursedir_values.items():
        setattr(coursedir, key, value)
    converter = converter_class(coursedir=coursedir, config=config)
    if hasattr(converter, "force"):
        converter.force = True
    try:
        converter.start()
    except Exception as error:  # nbgrader raises NbGraderException after logging the cause
        raise RuntimeError(f"{converter_class.__name__} failed: {error}") from error
