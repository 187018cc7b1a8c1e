"""Symbolic links into the course's Hugging Face home, replaced only when they point elsewhere."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def remove(path: Path) -> None:
    """Remove a link, file or folder, whichever `path` is (nothing if it is absent)."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def link(path: Path, target: Path) -> None:
    """Make `path` a symbolic link to `target` (kept as it is when it already is one)."""
    if path.is_symlink() and Path(os.readlink(path)) == target:
        return
    remove(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target, target_is_directory=target.is_dir())


def link_entries(into: Path, source: Path, skip: set[str]) -> None:
    """Link every entry of the folder `source` into `into`, except the names in `skip`."""
    if not source.is_dir() or source.resolve() == into.resolve():
        return
    for entry in source.iterdir():
        if entry.name not in skip and not entry.name.startswith("."):
            link(into / entry.name, entry)
