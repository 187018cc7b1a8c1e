"""Metrics offline: evaluate's module cache (`evaluate_modules/metrics/evaluate-metric--<name>/<hash>/`).

Offline, `evaluate.load("glue", "mrpc")` fails to reach the Hub and then imports the latest cached
copy of the module from `HF_MODULES_CACHE`. The scripts installed there are this project's own
(`metric_scripts/`, scikit-learn underneath, each saying so in its description), not the Hub's.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from course.offline.links import link

SCRIPTS = Path(__file__).parent / "metric_scripts"
METRICS = ("glue", "accuracy", "f1")


def _module_folder(modules: Path, name: str) -> Path:
    return modules / "evaluate_modules" / "metrics" / f"evaluate-metric--{name}"


def _learner_has(learner: Path, name: str) -> bool:
    return any(_module_folder(learner, name).glob(f"*/{name}.py"))


def sync(modules: Path, learner: Path) -> dict[str, str]:
    """Install the course's metric modules (the learner's cached Hub modules win)."""
    found: dict[str, str] = {}
    for package in (modules, modules / "evaluate_modules", modules / "evaluate_modules" / "metrics"):
        package.mkdir(parents=True, exist_ok=True)
        if not (package / "__init__.py").exists():
            (package / "__init__.py").touch()
    for name in METRICS:
        folder = _module_folder(modules, name)
        if learner.resolve() != modules.resolve() and _learner_has(learner, name):
            link(folder, _module_folder(learner, name))
            found[name] = "real"
            continue
        script = (SCRIPTS / f"{name}.py").read_bytes()
        build = folder / hashlib.sha256(script).hexdigest()
        if folder.is_symlink():
            folder.unlink()
        if not (build / f"{name}.py").is_file() or (build / f"{name}.py").read_bytes() != script:
            shutil.rmtree(folder, ignore_errors=True)
            scratch = folder.with_name(folder.name + ".building")
            shutil.rmtree(scratch, ignore_errors=True)
            (scratch / build.name).mkdir(parents=True)
            (scratch / "__init__.py").touch()
            (scratch / build.name / "__init__.py").touch()
            (scratch / build.name / f"{name}.py").write_bytes(script)
            os.replace(scratch, folder)
        found[name] = "course edition"
    return found
