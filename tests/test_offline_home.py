"""Issue #11: after `course.setup()`, the course's own library calls run offline, as written.

Each case runs in a fresh interpreter: the Hugging Face libraries read their cache locations when
first imported, exactly as in a learner's kernel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from course import standins
from course.offline import paths

REAL_CACHE = Path(os.environ.get("COURSE_CACHE_DIR", Path.home() / ".cache" / "course"))
NAMES = [name for standin in standins.STANDINS for name in standin.names]


def run_python(code: str, **env: str) -> dict:
    """Run `code` in a fresh interpreter (offline); it prints one JSON line last, which is returned."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("COURSE_LEARNER_") and key not in paths.HOME_VARIABLES
    }
    environment = {**inherited, "HF_HUB_OFFLINE": "1", "COURSE_OFFLINE": "1", **env}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    printed = " ".join(done.stdout.split())  # setup()'s words with its line wrapping undone
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "_stdout": printed}


@pytest.fixture
def private_cache(tmp_path):
    """A fresh course cache that borrows the built sentiment weights (no four-minute rebuild)."""
    cache = tmp_path / "course-cache"
    cache.mkdir()
    built = standins.sentiment_dir()
    if not (built / "config.json").is_file():
        pytest.fail("the sentiment stand-in is not built: run `course prepare-offline` (CI does)")
    (cache / built.name).symlink_to(built)
    return cache


def test_every_course_loading_call_runs_offline():
    result = run_python(
        """
        import json, time
        import course
        course.setup()
        import torch
        from transformers import (AutoConfig, AutoModel, AutoModelForSequenceClassification, AutoTokenizer,
                                  BertModel, pipeline)
        names = NAMES_HERE
        out = {"ids": {}, "standin_for": {}, "classes": {}}
        for name in names:
            tokenizer = AutoTokenizer.from_pretrained(name)
            out["ids"][name] = tokenizer("Using a Transformer network is simple")["input_ids"]
            out["standin_for"][name] = AutoConfig.from_pretrained(name).course_standin["stands_in_for"]
            heads = (AutoModel, AutoModelForSequenceClassification, BertModel)
            out["classes"][name] = [type(head.from_pretrained(name)).__name__ for head in heads]
        classifier = pipeline("sentiment-analysis")
        texts = ["I've been waiting for a HuggingFace course my whole life.", "I hate this so much!"]
        out["pipeline"] = classifier(texts)
        out["pipeline_standin"] = classifier.model.config.course_standin["stands_in_for"]

        from datasets import load_dataset
        out["data"] = {}
        for name in ("glue", "nyu-mll/glue"):
            for task in ("mrpc", "sst2"):
                d = load_dataset(name, task)
                out["data"][f"{name}/{task}"] = {
                    "rows": {k: len(v) for k, v in d.items()},
                    "features": str(d["train"].features),
                    "first_labels": d["train"]["label"][:10],
                    "description": d["train"].info.description,
                }

        import evaluate
        from sklearn.metrics import accuracy_score, f1_score
        preds, refs = [0, 1, 1, 0, 1, 1], [0, 1, 0, 0, 1, 0]
        out["metrics"] = {
            "glue": evaluate.load("glue", "mrpc").compute(predictions=preds, references=refs),
            "accuracy": evaluate.load("accuracy").compute(predictions=preds, references=refs),
            "f1": evaluate.load("f1").compute(predictions=preds, references=refs),
            "sklearn": [accuracy_score(refs, preds), f1_score(refs, preds)],
        }
        out["failures"] = {}
        for name in ("bert-base-cased", "gpt2"):
            started = time.perf_counter()
            try:
                AutoTokenizer.from_pretrained(name)
                out["failures"][name] = "loaded"
            except OSError as error:
                out["failures"][name] = [time.perf_counter() - started, course.explain(error)]
        print(json.dumps(out))
        """.replace("NAMES_HERE", repr(NAMES))
    )
    course_ids = [101, 2478, 1037, 10938, 2121, 2897, 2003, 3722, 102]  # the course's printed ids
    assert result["ids"] == {name: course_ids for name in NAMES}
    for standin in standins.STANDINS:
        for name in standin.names:
            assert result["standin_for"][name] == standin.course_name
    assert result["classes"]["distilbert/distilbert-base-uncased"] == [
        "BertModel",
        "BertForSequenceClassification",
        "BertModel",
    ]
    assert [r["label"] for r in result["pipeline"]] == ["POSITIVE", "NEGATIVE"]
    assert result["pipeline_standin"] == standins.SENTIMENT_CHECKPOINT
    assert "No model was supplied" not in result["_stdout"]  # a warning, on stderr, silenced by setup
    mrpc = result["data"]["glue/mrpc"]
    assert mrpc == result["data"]["nyu-mll/glue/mrpc"]
    assert mrpc["rows"] == {"train": 3668, "validation": 408, "test": 1725}
    assert "ClassLabel(names=['not_equivalent', 'equivalent'])" in mrpc["features"]
    assert mrpc["first_labels"] == [1, 0, 1, 0, 1, 1, 0, 1, 0, 0]
    assert "local parquet files" in mrpc["description"]
    assert result["data"]["glue/sst2"]["rows"] == {"train": 67349, "validation": 872}
    assert "ClassLabel(names=['negative', 'positive'])" in result["data"]["glue/sst2"]["features"]
    metrics = result["metrics"]
    accuracy, f1 = metrics["sklearn"]
    assert metrics["glue"] == {"accuracy": accuracy, "f1": f1}
    assert metrics["accuracy"] == {"accuracy": accuracy} and metrics["f1"] == {"f1": f1}
    for name in ("bert-base-cased", "gpt2"):
        seconds, advice = result["failures"][name]
        assert seconds < 2, f"{name} must fail at once offline, took {seconds:.1f} s"
        assert "offline" in advice.lower() and "stand-in" in advice.lower()


def test_setup_says_which_names_are_standins():
    result = run_python("import course, json; course.setup(); course.setup(); print(json.dumps({}))")
    out = result["_stdout"]
    assert out.count("offline stand-ins") == 1, "announced once per process"
    for name in NAMES:
        assert name in out
    assert "not DistilBERT" in out or "not the original DistilBERT" in out
    assert "scikit-learn edition" in out and "no sst2 test split" in out


def test_pipeline_default_matches_the_installed_transformers():
    from transformers.pipelines import SUPPORTED_TASKS

    assert SUPPORTED_TASKS["text-classification"]["default"]["model"] == standins.PIPELINE_DEFAULT


def tree_state(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in sorted(root.rglob("*"))
    }


def test_a_real_copy_in_the_learners_cache_wins_and_is_never_written(tmp_path, private_cache):
    """The learner already has a (tiny) real google-bert/bert-base-uncased in their own cache."""
    hf_home = tmp_path / "learner-hf"
    repo = hf_home / "hub" / "models--google-bert--bert-base-uncased"
    snapshot = repo / "snapshots" / ("a" * 40)
    from transformers import BertConfig, BertModel

    BertModel(
        BertConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64)
    ).save_pretrained(snapshot)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("a" * 40)
    (hf_home / "hub" / "models--someone--other").mkdir(parents=True)  # any other cached repo stays visible
    before = tree_state(hf_home)
    result = run_python(
        """
        import json, os
        import course
        course.setup()
        from transformers import AutoConfig
        real = AutoConfig.from_pretrained("bert-base-uncased")
        standin = AutoConfig.from_pretrained("distilbert-base-uncased")
        hub = os.environ["HF_HUB_CACHE"]
        print(json.dumps({"real_hidden": real.hidden_size, "real_is_standin": hasattr(real, "course_standin"),
                          "standin_hidden": standin.hidden_size, "hub": hub,
                          "other_visible": os.path.isdir(os.path.join(hub, "models--someone--other"))}))
        """,
        HF_HOME=str(hf_home),
        COURSE_CACHE_DIR=str(private_cache),
    )
    assert result["real_hidden"] == 32 and not result["real_is_standin"]
    assert result["standin_hidden"] == 384
    assert result["hub"].startswith(str(private_cache)) and result["other_visible"]
    assert "the real checkpoint, from your Hugging Face cache" in result["_stdout"]
    assert tree_state(hf_home) == before, "the learner's own cache must never be written"


def test_setup_repairs_a_missing_piece(private_cache):
    code = """
        import json, course
        course.setup(verbose=False)
        from datasets import load_dataset
        from transformers import AutoTokenizer
        print(json.dumps({"rows": len(load_dataset("glue", "mrpc")["validation"]),
                          "vocab": AutoTokenizer.from_pretrained("bert-base-uncased").vocab_size}))
    """
    first = run_python(code, COURSE_CACHE_DIR=str(private_cache))
    home = private_cache / "hf-home"
    for piece in (home / "datasets" / "glue" / "mrpc", home / "hub" / "models--bert-base-uncased"):
        assert piece.exists()
        import shutil

        shutil.rmtree(piece)
    second = run_python(code, COURSE_CACHE_DIR=str(private_cache))
    assert first["rows"] == second["rows"] == 408 and first["vocab"] == second["vocab"] == 30522


def test_imported_too_early_says_what_to_do():
    result = run_python(
        "import json, transformers, course; info = course.setup(); "
        "print(json.dumps({'home': info.offline_home}))"
    )
    assert result["home"] is None
    assert "restart the kernel and run course.setup() first" in result["_stdout"]


def test_online_nothing_is_redirected():
    result = run_python(
        "import json, os, course; course.setup(); print(json.dumps({'hub': os.environ.get('HF_HUB_CACHE')}))",
        COURSE_OFFLINE="0",
        HF_HUB_OFFLINE="0",
    )
    assert "hf-home" not in str(result["hub"])
