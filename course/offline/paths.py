"""Where the course-owned Hugging Face home lives, and where the learner's own caches are."""

from __future__ import annotations

import os
from pathlib import Path

from course.env import cache_dir

# The variables the libraries read when first imported, and the sub-folder of our home for each.
HOME_VARIABLES = {
    "HF_HUB_CACHE": "hub",
    "HF_DATASETS_CACHE": "datasets",
    "HF_MODULES_CACHE": "modules",
    "HF_EVALUATE_CACHE": "evaluate",
}
_SAVED_PREFIX = "COURSE_LEARNER_"  # the learner's own values, kept while ours are in force


def home() -> Path:
    """The course-owned Hugging Face home (under `course`'s cache directory)."""
    return cache_dir() / "hf-home"


def hub_cache() -> Path:
    return home() / "hub"


def datasets_cache() -> Path:
    return home() / "datasets"


def modules_cache() -> Path:
    return home() / "modules"


def _learner_hf_home() -> Path:
    saved = os.environ.get(_SAVED_PREFIX + "HF_HOME")
    value = saved if saved is not None else os.environ.get("HF_HOME")
    if value:
        return Path(value).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "huggingface"


def learner_cache(variable: str) -> Path:
    """The learner's own cache for `variable` (HF_HUB_CACHE, HF_DATASETS_CACHE...), ours aside."""
    saved = os.environ.get(_SAVED_PREFIX + variable)
    if saved:
        return Path(saved).expanduser()
    current = os.environ.get(variable)
    if current and Path(current).expanduser() != home() / HOME_VARIABLES[variable]:
        return Path(current).expanduser()
    return _learner_hf_home() / HOME_VARIABLES[variable]


def point_libraries_here() -> None:
    """Set the cache variables to our home, keeping the learner's values to link their caches in."""
    for variable, sub in HOME_VARIABLES.items():
        ours = str(home() / sub)
        current = os.environ.get(variable)
        if current and current != ours and _SAVED_PREFIX + variable not in os.environ:
            os.environ[_SAVED_PREFIX + variable] = current
        os.environ[variable] = ours
