"""Checkpoints through one door: the Hub or the local cache, else an honest stand-in, else a clear error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from course import standins
from course.env import is_offline

MODEL_CLASSES = {
    None: "AutoModel",
    "base": "AutoModel",
    "sequence-classification": "AutoModelForSequenceClassification",
    "token-classification": "AutoModelForTokenClassification",
    "question-answering": "AutoModelForQuestionAnswering",
    "masked-lm": "AutoModelForMaskedLM",
    "causal-lm": "AutoModelForCausalLM",
}
PIPELINE_DEFAULTS = {
    "sentiment-analysis": standins.SENTIMENT_CHECKPOINT,
    "text-classification": standins.SENTIMENT_CHECKPOINT,
}


class CheckpointNotAvailable(OSError):
    """A checkpoint could be found neither on the Hub, nor in the cache, nor among the stand-ins."""


def _not_available(name: str, reason: str) -> CheckpointNotAvailable:
    names = ", ".join(sorted(standins.STANDINS))
    return CheckpointNotAvailable(
        f"Checkpoint {name!r} is not available: {reason}. Offline stand-ins exist for: {names}. "
        "Fix: connect to the internet (the Hub at huggingface.co), pick one of those names, "
        "or pass a local directory saved with save_pretrained()."
    )


def _model_class(task: str | None):
    if task not in MODEL_CLASSES:
        tasks = ", ".join(repr(t) for t in MODEL_CLASSES if t)
        raise ValueError(f"Unknown task {task!r} for load_model: use None (bare model) or one of {tasks}.")
    import transformers

    return getattr(transformers, MODEL_CLASSES[task])


def _from_local_cache(loader, name: str, **kwargs: Any):
    """Try the local Hugging Face cache (no network); None when the checkpoint is not cached."""
    try:
        return loader.from_pretrained(name, local_files_only=True, **kwargs)
    except (OSError, ValueError):
        return None


def _resolve(loader, name: str, what: str, announce: bool = True, **kwargs: Any):
    """Load `name` with `loader` (an Auto class): local dir, Hub, cache, stand-in, or a clear error."""
    from course.env import quiet_transformers

    quiet_transformers()
    if not isinstance(name, (str, Path)) or not str(name).strip():
        raise ValueError(f"load_{what} needs a checkpoint name or a directory, got {name!r}.")
    name = str(name)
    if Path(name).is_dir():
        return loader.from_pretrained(name, **kwargs)
    reason = "this machine is offline and it is not in the local Hugging Face cache"
    if not is_offline():
        try:
            return loader.from_pretrained(name, **kwargs)
        except OSError as error:
            reason = f"the Hub did not serve it ({str(error).splitlines()[0][:160]})"
    else:
        cached = _from_local_cache(loader, name, **kwargs)
        if cached is not None:
            if announce:
                print(f"[course] offline: {name!r} from the local Hugging Face cache (the real checkpoint)")
            return cached
    standin = standins.find(name)
    if standin is None:
        raise _not_available(name, reason)
    if not standin.available():
        _build_missing(standin)
    if announce:
        print(standin.announcement())
    return loader.from_pretrained(standin.path(), **kwargs)


def _build_missing(standin: standins.StandIn) -> None:
    """Build a stand-in that is registered but not on disk yet (only the sentiment one is built)."""
    if standin.kind != "sentiment":
        standin.path()  # raises StandInUnavailable with the install command
        raise standins.StandInUnavailable(f"The stand-in files for {standin.course_name!r} are missing.")
    from course.prepare import prepare_sentiment

    print(
        f"[course] the offline stand-in for {standin.course_name!r} is not built yet: "
        "building it once now (a few minutes on a laptop CPU; `course prepare-offline` does the same)"
    )
    prepare_sentiment()


def load_tokenizer(name: str, announce: bool = True, **kwargs: Any):
    """`AutoTokenizer.from_pretrained` with the course's offline fallback (announced unless told not to)."""
    from transformers import AutoTokenizer

    return _resolve(AutoTokenizer, name, "tokenizer", announce=announce, **kwargs)


def load_model(name: str, task: str | None = None, **kwargs: Any):
    """A model for `name`: bare (task None) or with a head ("sequence-classification", ...).

    Extra keyword arguments (num_labels, id2label, ...) go to `from_pretrained`.
    """
    return _resolve(_model_class(task), name, "model", **kwargs)


def load_pipeline(task: str, model: str | None = None, **kwargs: Any):
    """`transformers.pipeline(task, model)` that works offline for the course's pipelines."""
    from transformers import pipeline
    from transformers.pipelines import check_task

    try:
        check_task(task)
    except KeyError as error:
        raise ValueError(f"Unknown pipeline task {task!r}: {error}") from None
    if model is None and not is_offline():
        from course.env import quiet_transformers

        quiet_transformers()
        return pipeline(task, **kwargs)
    model = model or PIPELINE_DEFAULTS.get(task)
    if model is None:
        raise _not_available(f"<default model for {task!r}>", "this machine is offline")
    head = "sequence-classification" if task in PIPELINE_DEFAULTS else None
    if head is None:
        try:
            return pipeline(task, model=model, **kwargs)
        except OSError as error:
            raise _not_available(model, f"the pipeline could not load it ({error})") from None
    return pipeline(
        task, model=load_model(model, task=head), tokenizer=load_tokenizer(model, announce=False), **kwargs
    )
