"""GLUE offline: datasets' own cache layout (`<name>/<config>/0.0.0/<hash>/glue-<split>.arrow`).

Offline, `load_dataset("glue", "mrpc")` (or "nyu-mll/glue") looks in `HF_DATASETS_CACHE` for the
latest cached build of that dataset and config. The folders written here are that build, made from
the local GLUE parquet files (`$COURSE_DATA_DIR`), with the Hub's features and ClassLabel names, and a
`description` that says where the rows really come from.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from course.data import GLUE_TASKS, data_dir
from course.offline.links import link, link_entries

DATASET_NAMES = ("glue", "nyu-mll/glue")
VERSION = "0.0.0"
MARKER = ".course-source.json"


def cache_folder(name: str) -> str:
    """The datasets cache's folder for a Hub dataset name ('nyu-mll/glue' -> 'nyu-mll___glue')."""
    return "___".join(name.split("/"))


def _fingerprint(task: str, root: Path) -> str:
    """16 hex digits that change when the source parquet files change (name, size, mtime)."""
    digest = hashlib.sha256(f"course-glue-v1:{task}".encode())
    for split in GLUE_TASKS[task][2]:
        stat = (root / "glue" / task / f"{split}.parquet").stat()
        digest.update(f"{split}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _description(task: str, root: Path) -> str:
    splits = ", ".join(GLUE_TASKS[task][2])
    return (
        f"GLUE {task}, laid out offline by `course` from the local parquet files in {root}/glue/{task} "
        f"(splits: {splits}; same columns, ClassLabel names and row order as nyu-mll/glue on the Hub). "
        "Online, load_dataset reads the Hub's copy instead."
    )


def write_build(folder: Path, task: str, root: Path) -> None:
    """Write one cached build (arrow files + dataset_info.json) of GLUE `task` into `folder`."""
    from datasets import DatasetInfo, SplitDict, SplitInfo
    from datasets.arrow_writer import ArrowWriter

    from course.data import load_glue_offline

    data = load_glue_offline(task, root=root)
    scratch = folder.with_name(folder.name + ".building")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    splits = SplitDict(dataset_name="glue")
    for split, dataset in data.items():
        path = scratch / f"glue-{split}.arrow"
        with ArrowWriter(path=str(path), features=dataset.features) as writer:
            writer.write_table(dataset.data.table)
            examples, num_bytes = writer.finalize()
        splits.add(SplitInfo(name=split, num_bytes=num_bytes, num_examples=examples, dataset_name="glue"))
    info = DatasetInfo(
        description=_description(task, root),
        features=data["train"].features,
        builder_name="parquet",
        dataset_name="glue",
        config_name=task,
        version=VERSION,
        splits=splits,
    )
    info.write_to_directory(str(scratch))
    (scratch / MARKER).write_text(json.dumps({"source": str(root / "glue" / task)}))
    if folder.exists():
        shutil.rmtree(folder)
    os.replace(scratch, folder)


def _learner_copy(learner: Path, name: str, task: str) -> Path | None:
    """The learner's cached build of `task` under `name`, else under the other GLUE name (same data)."""
    for candidate in (name, *(other for other in DATASET_NAMES if other != name)):
        folder = learner / cache_folder(candidate) / task
        if any(folder.glob("*/*/dataset_info.json")):
            return folder
    return None


def sync(cache: Path, learner: Path, root: Path | None = None) -> dict[str, str]:
    """Make `cache` answer load_dataset for the course's GLUE tasks; {"glue/mrpc": "real" | "stand-in" | ...}.

    The learner's cached datasets are linked in, and a real cached GLUE build of theirs wins.
    """
    root = Path(root) if root is not None else data_dir()
    cache.mkdir(parents=True, exist_ok=True)
    ours = {cache_folder(name) for name in DATASET_NAMES}
    learner_ok = learner.is_dir() and learner.resolve() != cache.resolve()
    link_entries(cache, learner, skip=ours)
    found: dict[str, str] = {}
    for name in DATASET_NAMES:
        for task in GLUE_TASKS:
            key = f"{name}/{task}"
            config_folder = cache / cache_folder(name) / task
            real = _learner_copy(learner, name, task) if learner_ok else None
            if real is not None:
                link(config_folder, real)
                found[key] = "real"
                continue
            if not (root / "glue" / task).is_dir():
                found[key] = "missing"
                continue
            build = config_folder / VERSION / _fingerprint(task, root)
            if config_folder.is_symlink():
                config_folder.unlink()
            if not (build / "dataset_info.json").is_file():
                for stale in config_folder.glob(f"{VERSION}/*"):
                    shutil.rmtree(stale, ignore_errors=True)
                write_build(build, task, root)
            found[key] = "stand-in"
    return found
