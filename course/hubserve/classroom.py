"""The classroom tree: the course's checkpoints under their Hub names and GLUE as `nyu-mll/glue`.

Weights and parquet files are symbolic links to the local files (no copies). The checkpoints are
the offline stand-ins, and each config.json says so under `course_standin`, as the offline
snapshots do; sentence-transformers/all-MiniLM-L6-v2 is served as itself (it is that model).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from course import standins
from course.data import GLUE_TASKS, data_dir, glue_features
from course.offline.models import CHECKPOINT_FILES

GLUE_REPO = "nyu-mll/glue"
GLUE_ALIASES = ("glue",)  # the legacy name, served as the Hub does: a redirect to nyu-mll/glue


def _write(path: Path, text: str) -> None:
    """Write `text` unless the file already holds it (an unchanged tree keeps its commit ids)."""
    if path.is_symlink() or (path.exists() and path.read_text() != text):
        path.unlink()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _link(path: Path, target: Path) -> None:
    if path.is_symlink() and Path(os.readlink(path)) == target:
        return
    if path.is_symlink() or path.exists():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


def _model_repo(folder: Path, source: Path, config: dict | None) -> None:
    """Link the checkpoint files of `source` into `folder`; config.json is `config` when given."""
    names = CHECKPOINT_FILES if config is not None else [p.name for p in source.iterdir()]
    for name in names:
        if (source / name).exists() and name != "config.json" and not name.startswith("."):
            _link(folder / name, (source / name).resolve())
    text = json.dumps(config, indent=2, sort_keys=True) + "\n" if config is not None else None
    _write(folder / "config.json", text or (source / "config.json").read_text())


def glue_readme(root: Path) -> str:
    """The dataset card: `configs` (data_files per split) and `dataset_info` (features, ClassLabel names)."""
    import pyarrow.parquet as pq
    import yaml

    infos, configs = [], []
    for task, (_, _, splits) in GLUE_TASKS.items():
        rows = {s: pq.ParquetFile(root / "glue" / task / f"{s}.parquet").metadata.num_rows for s in splits}
        infos.append(
            {
                "config_name": task,
                "features": glue_features(task)._to_yaml_list(),
                "splits": [{"name": s, "num_examples": n} for s, n in rows.items()],
            }
        )
        files = [{"split": s, "path": f"{task}/{s}-*"} for s in splits]
        configs.append({"config_name": task, "data_files": files})
    card = yaml.safe_dump({"dataset_info": infos, "configs": configs}, sort_keys=False)
    return (
        f"---\n{card}---\n\n# GLUE ({', '.join(GLUE_TASKS)}), served by `course hub-serve`\n\n"
        f"The parquet files are the course's local copy ({root}/glue): the same rows, columns and "
        "ClassLabel names as nyu-mll/glue on the Hub (no sst2 test split).\n"
    )


def build_classroom_tree(root: Path | str, data: Path | None = None) -> dict[str, str]:
    """Lay out (or refresh) the course's repositories under `root`; returns {repo: "ready" | "missing"}.

    Other repositories under `root` are left alone (and served too).
    """
    root = Path(root)
    states: dict[str, str] = {}
    for standin in standins.STANDINS:
        for name in standin.names:
            key = f"models/{name}"
            if not standin.available():
                states[key] = "missing"
                continue
            source = standin.path()
            config = json.loads((source / "config.json").read_text())
            config["course_standin"] = standin.record()
            _model_repo(root / key, source, config)
            states[key] = "ready"
    try:
        minilm = standins.minilm_dir()
        _model_repo(root / "models" / standins.MINILM_HUB_NAME, minilm, None)
        states[f"models/{standins.MINILM_HUB_NAME}"] = "ready"
    except standins.StandInUnavailable:
        states[f"models/{standins.MINILM_HUB_NAME}"] = "missing"
    data = Path(data) if data is not None else data_dir()
    repo = root / "datasets" / GLUE_REPO
    if all((data / "glue" / task).is_dir() for task in GLUE_TASKS):
        for task, (_, _, splits) in GLUE_TASKS.items():
            for split in splits:
                _link(
                    repo / task / f"{split}-00000-of-00001.parquet", data / "glue" / task / f"{split}.parquet"
                )
        _write(repo / "README.md", glue_readme(data))
        for alias in GLUE_ALIASES:
            _link(root / "datasets" / alias, Path(GLUE_REPO))  # relative: datasets/glue -> nyu-mll/glue
        states[f"datasets/{GLUE_REPO}"] = "ready"
    else:
        states[f"datasets/{GLUE_REPO}"] = "missing"
    return states
