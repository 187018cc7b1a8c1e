"""`course doctor`, `course prepare-offline` and the stand-in build recipe."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from course import cli, prepare, sentiment_standin, standins


def test_doctor_passes_here(capsys):
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "doctor: all essentials present" in out and "device: cpu" in out


def test_doctor_fails_without_data(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert cli.main(["doctor"]) == 1
    assert f"under {tmp_path}/glue/mrpc" in capsys.readouterr().out


def test_prepare_is_idempotent(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    target = standins.sentiment_dir()
    target.mkdir(parents=True)
    (target / "standin.json").write_text(json.dumps({"sst2_validation_accuracy": 0.9}))

    def must_not_build(*args, **kwargs):
        raise AssertionError("an existing stand-in must not be rebuilt")

    monkeypatch.setattr(sentiment_standin, "build", must_not_build)
    assert prepare.prepare_sentiment()["sst2_validation_accuracy"] == 0.9


def test_failed_build_leaves_nothing_behind(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))

    def crash(*args, **kwargs):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(sentiment_standin, "build", crash)
    with pytest.raises(RuntimeError):
        prepare.prepare_sentiment()
    assert not standins.sentiment_dir().exists() and list(tmp_path.iterdir()) == []


def test_two_processes_never_build_the_same_standin(monkeypatch, tmp_path):
    """Two setup() calls at once (two kernels, a test and the install) build it once; the second waits."""
    import threading
    import time

    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    builds = []

    def slow_build(out_dir, progress=True):
        builds.append(out_dir)
        time.sleep(0.5)
        (Path(out_dir) / "standin.json").write_text(json.dumps({"sst2_validation_accuracy": 0.9}))
        return {"sst2_validation_accuracy": 0.9}

    monkeypatch.setattr(sentiment_standin, "build", slow_build)
    results = []
    threads = [threading.Thread(target=lambda: results.append(prepare.prepare_sentiment())) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1 and [r["sst2_validation_accuracy"] for r in results] == [0.9, 0.9]


def test_length_grouped_batches_cover_every_row_once():
    lengths = [random.Random(0).randint(3, 60) for _ in range(1000)]
    batches = sentiment_standin._length_grouped_batches(lengths, 32, random.Random(1))
    assert sorted(i for b in batches for i in b) == list(range(1000))
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches) / len(batches)
    assert spread < 10, "batches must group similar lengths"


@pytest.mark.slow
def test_tiny_build_writes_an_honest_standin(tmp_path):
    recipe = sentiment_standin.Recipe(train_size=64, batch_size=16)
    meta = sentiment_standin.build(tmp_path, recipe, progress=False)
    assert (tmp_path / "config.json").is_file() and (tmp_path / "model.safetensors").is_file()
    saved = json.loads((tmp_path / "standin.json").read_text())
    assert saved == meta and saved["train_sentences"] == 64
    assert saved["averaged_snapshots"] >= 1, "the tail average must be taken, progress bar or not"
    assert 0.0 <= saved["sst2_validation_accuracy"] <= 1.0
    assert saved["stands_in_for"] == standins.SENTIMENT_CHECKPOINT
