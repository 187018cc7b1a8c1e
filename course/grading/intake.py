"""Reading SUBMITTED as hostile input: names, links, special files and sizes, before anything parses it.

A class upload is often an extracted archive, and archives carry symbolic links, FIFOs and odd names.
The trusted parent therefore never follows a link and never opens anything but a regular file:

- every folder is entered with `O_DIRECTORY | O_NOFOLLOW` relative to its parent's descriptor, and
  every file opened with `O_NOFOLLOW | O_NONBLOCK` and checked with `fstat` (a regular file, not too
  large) before a byte is read, so a link or a FIFO swapped in after a check is refused too;
- student and assignment names must fully match `SAFE_NAME` (`re.fullmatch`: a trailing newline is
  refused) and never name one of the grader's own files or folders (`template.db`, `gradebook`, ...);
- the bytes of each accepted notebook (and timestamp.txt) are copied into a private intake folder of
  the output; the rest of the grader (cache keys, prescreen, class report) reads only those copies.

Whatever is refused becomes a problem line of that student (or a note of the run, when the name itself
cannot be used as a student id); nothing here raises for one submission's sake.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}")
# Names of the grader's own files and folders, in OUT, OUT/work and OUT/nbgrader (lower case).
RESERVED = frozenset(
    {
        "template.db",
        "gradebook",
        "gradebook.db",
        "gradebook.db-journal",
        "nbgrader_config.py",
        "_reference",
        "intake",
        "work",
        "logs",
        "cache",
        "expected",
        "feedback",
        "submitted",
        "autograded",
        "solutions",
        "notebooks",
        "source",
        "release",
        "index.html",
        "report.html",
        "results.json",
        "scores.csv",
        "summary.txt",
        "task.json",
        "result.json",
        "timestamp.txt",
    }
)
GRADER_SUFFIXES = (".db", ".json", ".html", ".csv", ".log", ".zip", ".tmp", ".py", ".ipynb", ".lock")
TIMESTAMP_BYTES = 256
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class Refused(Exception):
    """One path under SUBMITTED that the grader will not read; the message says why, for the student."""


def name_problem(name: str) -> str:
    """Why `name` cannot be a student or assignment id here ("" when it can)."""
    if not SAFE_NAME.fullmatch(name):
        return "not a usable id (1-64 letters, digits and _.@+-, starting with a letter or digit)"
    lowered = name.lower()
    if lowered in RESERVED or lowered.endswith(GRADER_SUFFIXES) or "__" in name or ".." in name:
        return "a name the grader keeps for its own files"
    return ""


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISREG(mode):
        return "a file"
    return "a special file (FIFO, socket or device)"


def entries(dir_fd: int) -> dict[str, int]:
    """name -> st_mode of each entry of an open folder, links not followed (hidden names left out)."""
    found = {}
    for name in os.listdir(dir_fd):
        if name.startswith("."):
            continue
        try:
            found[name] = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
        except OSError:
            continue
    return found


def open_folder(name: str, parent_fd: int | None = None) -> int:
    """A descriptor of the folder `name` (relative to `parent_fd`); Refused for a link or a non-folder."""
    try:
        mode = os.stat(name, dir_fd=parent_fd, follow_symlinks=False).st_mode
        if not stat.S_ISDIR(mode):
            raise Refused(f"{_kind(mode)}, not a folder: refused")
        return os.open(name, _DIR, dir_fd=parent_fd)
    except Refused:
        raise
    except OSError as error:
        raise Refused(f"cannot be opened as a folder ({error.strerror or error}): refused") from None


def _open_regular(name: str, dir_fd: int, limit: int) -> int:
    """A descriptor of the regular file `name` in `dir_fd`, no larger than `limit`; Refused otherwise."""
    try:
        mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
        if not stat.S_ISREG(mode):
            raise Refused(f"{_kind(mode)}, not a regular file: refused")
        fd = os.open(name, _FILE, dir_fd=dir_fd)
    except Refused:
        raise
    except OSError as error:
        raise Refused(f"cannot be opened ({error.strerror or error}): refused") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        os.close(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"{_kind(info.st_mode)}, not a regular file: refused")
        raise Refused(f"too large to grade ({info.st_size / 2**20:.1f} MiB > {limit / 2**20:.0f} MiB)")
    return fd


def _chunks(fd: int, limit: int):
    total = 0
    while True:
        try:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
        except OSError as error:
            raise Refused(f"cannot be read ({error.strerror or error}): refused") from None
        if not chunk:
            return
        total += len(chunk)
        if total > limit:
            raise Refused(f"too large to grade (more than {limit / 2**20:.0f} MiB)")
        yield chunk


def read_regular(name: str, dir_fd: int, limit: int) -> bytes:
    """The bytes of the regular file `name` in `dir_fd` (at most `limit`); Refused otherwise."""
    fd = _open_regular(name, dir_fd, limit)
    try:
        return b"".join(_chunks(fd, limit))
    finally:
        os.close(fd)


def copy_regular(name: str, dir_fd: int, limit: int, target: Path) -> Path:
    """Copy the regular file `name` in `dir_fd` to `target`, 1 MiB at a time; Refused otherwise."""
    fd = _open_regular(name, dir_fd, limit)
    try:
        with _fresh(target) as handle:
            for chunk in _chunks(fd, limit):
                handle.write(chunk)
    except Refused:
        target.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
    return target


def _fresh(target: Path):
    """A new file of the grader's at `target` (an old one is replaced; never written through a link)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or target.exists():
        target.unlink()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    return os.fdopen(fd, "wb")


def check_timestamp(data: bytes) -> str:
    """Why a timestamp.txt cannot be used ("" when nbgrader can parse it; empty counts as none)."""
    from nbgrader.utils import parse_utc

    try:
        text = data.decode("utf-8").strip()
        if text:
            parse_utc(text)
    except (UnicodeDecodeError, ValueError, OverflowError, TypeError) as error:
        return f"not a date nbgrader can read ({type(error).__name__})"
    return ""


def keep(data: bytes, target: Path) -> Path:
    """Write `data` as the grader's own copy at `target`."""
    with _fresh(target) as handle:
        handle.write(data)
    return target


# --- limits before and while parsing -------------------------------------------------------------------

MAX_DEPTH = 64  # JSON nesting (a notebook needs about 8; widget state a few more)
MAX_VALUES = 1_000_000  # JSON values (numbers, strings, lists, objects) in the whole file
MAX_CELLS = 2_000
MAX_OUTPUTS = 20_000
_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.S)  # possessive: no backtracking state
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")


def _depth(brackets: bytes) -> int:
    deepest = level = 0
    for byte in brackets:
        level += 1 if byte in (0x5B, 0x7B) else -1
        deepest = max(deepest, level)
    return deepest


def structure_problem(data: bytes, max_depth: int = MAX_DEPTH, max_values: int = MAX_VALUES) -> str:
    """Why `data` is too deep or has too many values to parse safely ("" when it may be parsed).

    Checked on the bytes, so that `json.loads` never recurses too deep nor builds millions of objects:
    a first count of , : [ { bounds the values from above (strings included); only when that bound is
    too high are the strings' contents removed (a regular expression without backtracking) and the
    exact count taken. The time is linear in the file; the memory one copy of it.
    """
    opening = data.count(b"[") + data.count(b"{")
    crude = opening + data.count(b",") + data.count(b":")
    if crude > 4 * max_values:
        return f"too many JSON values (more than {max_values:,})"
    if crude <= max_values and opening <= max_depth:
        return ""
    skeleton = _STRING.sub(b'""', data)
    values = skeleton.count(b",") + skeleton.count(b":") + skeleton.count(b"[") + skeleton.count(b"{")
    if values > max_values:
        return f"too many JSON values ({values:,} > {max_values:,})"
    depth = _depth(_NOT_BRACKET.sub(b"", skeleton))
    if depth > max_depth:
        return f"JSON nested too deep ({depth} levels > {max_depth})"
    return ""


def counts_problem(raw: dict) -> str:
    """Why a parsed notebook has too many cells or outputs to grade ("" when it may be graded)."""
    cells = raw.get("cells")
    if not isinstance(cells, list):
        return ""  # nbformat says what is wrong with it
    if len(cells) > MAX_CELLS:
        return f"too many cells ({len(cells):,} > {MAX_CELLS:,})"
    outputs = sum(
        len(c["outputs"]) for c in cells if isinstance(c, dict) and isinstance(c.get("outputs"), list)
    )
    if outputs > MAX_OUTPUTS:
        return f"too many stored outputs ({outputs:,} > {MAX_OUTPUTS:,})"
    return ""
