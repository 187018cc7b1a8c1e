"""The offline Hugging Face home that `course` owns, laid out as the libraries' own caches expect.

Offline, `course.setup()` points huggingface_hub, transformers, datasets and evaluate at this home
(`paths.home()`), so the course's unmodified code resolves there:

    AutoTokenizer.from_pretrained("bert-base-uncased")   # hub-cache snapshot (models.py)
    pipeline("sentiment-analysis")                       # the pinned default model and revision
    load_dataset("glue", "mrpc")                         # datasets' arrow cache (glue.py)
    evaluate.load("glue", "mrpc")                        # evaluate's module cache (metrics.py)

Nothing is patched: these are the lookups the libraries make offline anyway. Whatever the learner
already has in their own Hugging Face cache is linked in and wins over a stand-in; their cache is
never written to. `prepare()` builds the home (idempotent, cheap once built).
"""

from course.offline.home import activate, prepare, status

__all__ = ["activate", "prepare", "status"]
