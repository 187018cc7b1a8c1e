"""The local GLUE parquet files ($COURSE_DATA_DIR) read into the Hub's DatasetDict.

The offline home (course.offline.glue) lays these out as datasets' own cache, so that the
learner's `load_dataset("glue", "mrpc")` finds them offline.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datasets import DatasetDict

# task -> (text columns, label names, offline splits)
GLUE_TASKS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "mrpc": (("sentence1", "sentence2"), ("not_equivalent", "equivalent"), ("train", "validation", "test")),
    "sst2": (("sentence",), ("negative", "positive"), ("train", "validation")),
}


class DataNotFoundError(FileNotFoundError):
    """The offline data directory or one of its files is missing or malformed."""


def data_dir() -> Path:
    """The offline data directory: $COURSE_DATA_DIR; else, for an editable install, the `shared/data`
    beside its repository checkout; else (an installed wheel) `data/` in the course's cache directory.

    A missing folder is not an error here: loading from it says what is missing and how to point at it.
    """
    custom = os.environ.get("COURSE_DATA_DIR")
    if custom:
        return Path(custom).expanduser().resolve()
    from course.notebooks import source_checkout

    checkout = source_checkout()
    if checkout is not None:
        return (checkout.parent / "shared" / "data").resolve()
    from course.env import cache_dir

    return (cache_dir() / "data").resolve()


def _layout(task: str) -> str:
    splits = GLUE_TASKS[task][2]
    return ", ".join(f"glue/{task}/{split}.parquet" for split in splits)


def glue_features(task: str):
    """The Hub's features for a GLUE task: text columns, a ClassLabel `label`, an int32 `idx`."""
    from datasets import ClassLabel, Features, Value

    columns, names, _ = GLUE_TASKS[task]
    spec = {column: Value("string") for column in columns}
    spec["label"] = ClassLabel(names=list(names))
    spec["idx"] = Value("int32")
    return Features(spec)


def _check_task(task: str) -> str:
    key = task.lower().strip()
    if key not in GLUE_TASKS:
        raise ValueError(f"Unknown GLUE task {task!r}: this course uses {sorted(GLUE_TASKS)}.")
    return key


def load_glue_offline(task: str, root: Path | None = None) -> DatasetDict:
    """Read `<root>/glue/<task>/<split>.parquet` into the same DatasetDict the Hub gives."""
    import pyarrow.parquet as pq
    from datasets import Dataset, DatasetDict

    task = _check_task(task)
    root = Path(root) if root is not None else data_dir()
    folder = root / "glue" / task
    if not folder.is_dir():
        raise DataNotFoundError(
            f"No offline data for GLUE {task!r}: {folder} does not exist. Expected files: "
            f"{_layout(task)} under {root}. Point COURSE_DATA_DIR at the folder that holds 'glue/'."
        )
    features = glue_features(task)
    splits = {}
    for split in GLUE_TASKS[task][2]:
        path = folder / f"{split}.parquet"
        if not path.is_file():
            raise DataNotFoundError(f"Missing {path}: expected {_layout(task)} under {root}.")
        try:
            table = pq.read_table(path)
        except Exception as error:  # pyarrow raises several types for a bad file
            raise DataNotFoundError(f"{path} is not a readable parquet file ({error}).") from None
        missing = set(features) - set(table.column_names)
        if missing:
            raise DataNotFoundError(
                f"{path} lacks the columns {sorted(missing)}; a GLUE {task} file needs {list(features)}."
            )
        table = table.select(list(features))
        splits[split] = Dataset.from_dict(table.to_pydict(), features=features, split=split)
    return DatasetDict(splits)
