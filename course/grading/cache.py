"""Graded results kept under OUT/cache, keyed by content: a rerun grades only what is new or changed.

    OUT/cache/run.json                          the latest run: when it started, whether it finished
    OUT/cache/tasks/<2 hex>/<sha256>.zip        one graded (student, notebook): result.json, the task's
                                                gradebook, its submitted/autograded/feedback files, the log
    OUT/cache/references/<2 hex>/<sha256>.zip   one run of a solution notebook: result.json, expected.json

A task's key is the sha256 of the student, assignment and notebook ids, the submitted notebook's bytes
(and its timestamp.txt), the source (solution) notebook's bytes, the grading version and the run's
settings (sandbox limits or "unsafe", cell timeout, tamper scan). The grading version
(`grading_version`) covers the course's version, the sources of the `course` package (the checks, the
grader, everything a kernel imports; not the reports or the CLI: NOT_RESULTS), nbgrader_config.py, Python and
the versions of the libraries that execute and grade. So editing one test in one source notebook
changes the key of that notebook for every student and of nothing else; upgrading the grader or a
library regrades everything.

The class gradebook, scores and reports are rebuilt by every run from these entries (merging is cheap;
running a kernel is not). Only "graded" results are kept: a grader error or a killed task is tried again
next time. Entries are written to a temporary file in the same folder, then renamed: a run killed at any
moment leaves whole entries or none, and an entry that cannot be read counts as missing.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import course
from course.notebooks import REPO

VERSION = 1  # of this cache's layout and key
PACKAGE = Path(course.__file__).resolve().parent
# Modules that cannot change a cached result: they parse arguments, serve the Hub, or work on graded
# results (merging into the class gradebook and the reports are redone by every run). Any other module
# of the package, a new one included, counts: a wrong omission here would serve stale grades.
NOT_RESULTS = (
    "cli.py",
    "hubserve/",
    "grading/report.py",
    "grading/item_analysis.py",
    "grading/similarity.py",
    "grading/gradebook.py",
)
LIBRARIES = (
    "nbgrader",
    "nbclient",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "jupyter_client",
    "numpy",
    "torch",
    "transformers",
    "tokenizers",
    "datasets",
    "huggingface_hub",
    "accelerate",
    "evaluate",
    "scikit-learn",
)
# The parts of a graded task folder that the parent merges (see course.grading.collect.collect_task).
TASK_PARTS = ("gradebook.db", "submitted", "autograded", "feedback")
MANIFEST = "run.json"


PIN = "COURSE_GRADING_VERSION"


def grading_version() -> str:
    """A hash of everything besides the notebooks that can change a grade (see the module docstring).

    Computed once per process. $COURSE_GRADING_VERSION, when set, replaces it: the tests pin it (other
    people edit the checkout while they run); an instructor who pins it keeps cached grades across a
    change of the grader, and answers for it.
    """
    pinned = os.environ.get(PIN)
    return f"pinned:{pinned}" if pinned else _hashed_version()


@functools.lru_cache(maxsize=1)
def _hashed_version() -> str:
    from importlib import metadata

    digest = hashlib.sha256(f"layout {VERSION}\npython {sys.version}\n".encode())
    from course.env import DISTRIBUTION

    for name in (DISTRIBUTION, *LIBRARIES):
        try:
            digest.update(f"{name} {metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} -\n".encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if not relative.startswith(NOT_RESULTS) and "__pycache__" not in relative:
            digest.update(f"{relative}\n".encode() + path.read_bytes())
    config = REPO / "nbgrader_config.py"
    if config.is_file():
        digest.update(b"nbgrader_config.py\n" + config.read_bytes())
    return digest.hexdigest()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(path: Path | None) -> str | None:
    return _sha(Path(path).read_bytes()) if path is not None and Path(path).is_file() else None


def folder_files(folder: Path, parts=TASK_PARTS) -> dict[str, bytes]:
    """The files under `folder`'s `parts` (files or folders), by their path relative to `folder`."""
    folder = Path(folder)
    files = {}
    for part in parts:
        path = folder / part
        if path.is_file():
            files[part] = path.read_bytes()
        elif path.is_dir():
            for item in sorted(path.rglob("*")):
                if item.is_file():
                    files[item.relative_to(folder).as_posix()] = item.read_bytes()
    return files


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    """Write `files` (relative path -> bytes) under `folder`, replacing what is there (even read-only)."""
    folder = Path(folder)
    for relative, data in files.items():
        target = folder / relative
        if ".." in Path(relative).parts or Path(relative).is_absolute():
            raise ValueError(f"refusing to write outside the task folder: {relative!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() or target.is_symlink():
            target.unlink()
        target.write_bytes(data)


class Cache:
    """OUT/cache: look up, store and restore graded tasks and solution runs (see the module docstring)."""

    def __init__(self, out: Path, *, limits: dict | None, timeout: int, scan: bool):
        self.root = Path(out) / "cache"
        self.settings = {
            "grading": grading_version(),
            "limits": limits if limits is not None else "unsafe",
            "timeout": int(timeout),
            "scan": bool(scan),
        }

    # --- keys ---------------------------------------------------------------------------------------

    def _key(self, what: dict) -> str:
        return _sha(json.dumps({**what, **self.settings, "layout": VERSION}, sort_keys=True).encode())

    def task_key(self, sub, source: Path) -> str:
        """The key of one (student, notebook): ids, submitted bytes, timestamp, source bytes, settings."""
        return self._key(
            {
                "kind": "task",
                "student": sub.student,
                "assignment": sub.assignment,
                "notebook": sub.notebook,
                "submitted": _read(sub.path),
                "timestamp": _read(sub.timestamp),
                "source": _read(source),
            }
        )

    def reference_key(self, assignment: str, notebook: str, source: Path) -> str:
        return self._key(
            {"kind": "reference", "assignment": assignment, "notebook": notebook, "source": _read(source)}
        )

    # --- entries ------------------------------------------------------------------------------------

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / f"{key}.zip"

    def load(self, kind: str, key: str) -> dict | None:
        """{"result", "files", "log"} of an entry, or None (absent, or unreadable: then it is removed)."""
        path = self._path(kind, key)
        if not path.is_file():
            return None
        try:
            with zipfile.ZipFile(path) as archive:
                result = json.loads(archive.read("result.json"))
                log = archive.read("log.txt").decode(errors="replace")
                files = {
                    name[len("files/") :]: archive.read(name)
                    for name in archive.namelist()
                    if name.startswith("files/") and not name.endswith("/")
                }
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            path.unlink(missing_ok=True)
            return None
        return {"result": result, "files": files, "log": log}

    def store(self, kind: str, key: str, result: dict, files: dict[str, bytes], log: str = "") -> None:
        """Write one entry atomically: a temporary file in the same folder, then a rename."""
        path = self._path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            archive.writestr("result.json", json.dumps(result))
            archive.writestr("log.txt", log)
            for relative, data in sorted(files.items()):
                archive.writestr(f"files/{relative}", data)
        handle, temporary = tempfile.mkstemp(prefix=f".{key[:12]}-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(buffer.getvalue())
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def entries(self, kind: str = "tasks") -> list[Path]:
        folder = self.root / kind
        return sorted(folder.glob("*/*.zip")) if folder.is_dir() else []

    def sweep_temporary(self) -> int:
        """Remove what a killed run left half-written (never counted as entries); how many."""
        left = list(self.root.glob("*/*/.*.tmp")) if self.root.is_dir() else []
        for path in left:
            path.unlink(missing_ok=True)
        return len(left)

    # --- the run manifest (what --resume continues) ----------------------------------------------------

    def earlier_run(self) -> dict | None:
        try:
            return json.loads((self.root / MANIFEST).read_text())
        except (OSError, ValueError):
            return None

    def begin(self, submissions: Path, tasks: int) -> None:
        self._manifest(
            {"submissions": str(submissions), "tasks": tasks, "started": time.time(), "finished": None}
        )

    def finish(self, **counts) -> None:
        manifest = self.earlier_run() or {}
        manifest.update(counts, finished=time.time())
        self._manifest(manifest)

    def _manifest(self, data: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self.root / f".{MANIFEST}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(data, indent=1))
        os.replace(temporary, self.root / MANIFEST)
