"""Point the Hugging Face libraries at the course's offline home, and keep that home complete."""

from __future__ import annotations

import sys

from course.display import wrap_lines
from course.offline import paths

LIBRARIES = ("huggingface_hub", "transformers", "datasets", "evaluate")
_announced = False


def _imported_too_early() -> list[str]:
    """The Hugging Face libraries already imported while not pointing at our home."""
    import os

    if os.environ.get("HF_HUB_CACHE") == str(paths.hub_cache()):
        return []
    return [name for name in LIBRARIES if name in sys.modules]


def prepare(build_missing: bool = True, progress: bool = True) -> dict[str, str]:
    """Lay out (or repair) the home: checkpoints, GLUE and metrics. Returns {name: state}.

    State is "real" (the learner's own cached copy), "stand-in", "course edition" (a metric) or
    "missing". A missing sentiment stand-in is built first when `build_missing` (a few minutes).
    """
    from course import standins
    from course.offline import glue, metrics, models

    sentiment = standins.find(standins.SENTIMENT_CHECKPOINT)
    if build_missing and not sentiment.available():
        from course.prepare import prepare_sentiment

        print(
            "[course] building the offline sentiment stand-in once (a few minutes on a laptop CPU; "
            "`course prepare-offline` does the same)"
        )
        prepare_sentiment(progress=progress)
    states = models.sync(paths.hub_cache(), paths.learner_cache("HF_HUB_CACHE"))
    states |= glue.sync(paths.datasets_cache(), paths.learner_cache("HF_DATASETS_CACHE"))
    states |= metrics.sync(paths.modules_cache(), paths.learner_cache("HF_MODULES_CACHE"))
    return states


def activate(build_missing: bool = True) -> dict[str, str] | None:
    """Offline: point the libraries here and repair the home. None when it could not be done."""
    early = _imported_too_early()
    if early:
        print(
            f"[course] {', '.join(early)} was imported before course.setup(), so offline loading cannot be "
            "pointed at the course's stand-ins: restart the kernel and run course.setup() first."
        )
        return None
    paths.point_libraries_here()
    try:
        return prepare(build_missing=build_missing)
    except OSError as error:
        print(f"[course] the offline home at {paths.home()} could not be completed: {error}")
        return None


def status(states: dict[str, str]) -> list[str]:
    """The lines setup() prints once: which names are stand-ins, and what answers for them."""
    from course import standins
    from course.offline import glue, metrics

    lines = []
    for standin in standins.STANDINS:
        kinds = {states.get(name, "missing") for name in standin.names}
        names = " / ".join(standin.names)
        if kinds == {"real"}:
            lines.append(f"{names}: the real checkpoint, from your Hugging Face cache")
        elif "missing" in kinds:
            lines.append(f"{names}: MISSING (run `course prepare-offline`)")
        else:
            lines.append(f"{names} -> stand-in: {standin.weights()}; differs: {standin.differs}")
    for name in glue.DATASET_NAMES:
        tasks = [key.split("/")[-1] for key, state in states.items() if key.startswith(name + "/")]
        real = [t for t in tasks if states[f"{name}/{t}"] == "real"]
        local = [t for t in tasks if states[f"{name}/{t}"] == "stand-in"]
        if local:
            lines.append(
                f"load_dataset({name!r}, {' | '.join(map(repr, local))}) -> local GLUE parquet files "
                "(same rows, columns and labels; no sst2 test split)"
            )
        if real:
            lines.append(f"load_dataset({name!r}, {' | '.join(map(repr, real))}): your cached Hub copy")
    editions = [name for name in metrics.METRICS if states.get(name) == "course edition"]
    if editions:
        lines.append(
            f"evaluate.load({' | '.join(map(repr, editions))}) -> the course's scikit-learn edition "
            "(same formulas and keys as the Hub's scripts)"
        )
    from course.offline import causal_lm  # notebook 10's model, once `course prepare-offline` built it

    return lines + causal_lm.status_lines()


def announce(states: dict[str, str]) -> None:
    """Print the stand-in lines once per process."""
    global _announced
    if not _announced:
        print("offline stand-ins (model.config.course_standin and dataset.info.description say so too):")
        for line in status(states):
            print(wrap_lines("  " + line))
        _announced = True
