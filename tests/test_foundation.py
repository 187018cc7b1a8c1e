"""The foundation: fast import, setup report, checkpoints and data through one door each."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

import course
from course import env, hub, standins


def test_import_is_fast_and_lazy():
    code = (
        "import time,sys; t=time.perf_counter(); import course; print(time.perf_counter()-t); "
        "print(int('torch' in sys.modules), int('transformers' in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[1:] == ["0", "0"], "import course must not import torch or transformers"


def test_setup_reports_and_seeds(capsys):
    info = course.setup(seed=7)
    text = capsys.readouterr().out
    assert info.offline and info.device == "cpu"
    for needle in ("device: cpu", "OFFLINE", "transformers 5", "bert-base-uncased -> MiniLM"):
        assert needle in text
    import torch

    first = torch.rand(3)
    course.setup(seed=7, verbose=False)
    assert torch.equal(first, torch.rand(3)), "setup(seed) must make torch reproducible"


def test_fast_mode_switch(monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "0")
    assert env.fast_mode() is False
    monkeypatch.delenv("COURSE_FAST")
    monkeypatch.setenv("CI", "true")
    assert env.fast_mode() is True
    monkeypatch.setenv("CI", "false")
    assert env.fast_mode() is False


def test_offline_probe_is_quick_and_switches_libraries(monkeypatch):
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(env, "HUB_HOST", "unreachable.invalid")
    started = time.perf_counter()
    assert env.is_offline(refresh=True) is True
    assert time.perf_counter() - started < 2.5
    import huggingface_hub.constants

    assert huggingface_hub.constants.HF_HUB_OFFLINE is True
    monkeypatch.setenv("COURSE_OFFLINE", "0")
    assert env.is_offline(refresh=True) is False
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    assert env.is_offline(refresh=True) is True


def test_course_token_ids_for_a_sentence_pair(tokenizer):
    encoded = tokenizer("This is the first sentence.", "This is the second one.")
    assert encoded["input_ids"] == [
        101,
        2023,
        2003,
        1996,
        2034,
        6251,
        1012,
        102,
        2023,
        2003,
        1996,
        2117,
        2028,
        1012,
        102,
    ]
    assert encoded["token_type_ids"] == [0] * 8 + [1] * 7


def test_course_padded_batch(tokenizer):
    batch = tokenizer(
        ["I've been waiting for a HuggingFace course my whole life.", "I hate this so much!"],
        padding=True,
        truncation=True,
        return_tensors="pt",
    )
    assert batch["input_ids"].tolist() == [
        [101, 1045, 1005, 2310, 2042, 3403, 2005, 1037, 17662, 12172, 2607, 2026, 2878, 2166, 1012, 102],
        [101, 1045, 5223, 2023, 2061, 2172, 999, 102, 0, 0, 0, 0, 0, 0, 0, 0],
    ]
    assert batch["attention_mask"].tolist() == [[1] * 16, [1] * 8 + [0] * 8]


def test_offline_standin_is_announced(capsys):
    model = course.load_model("bert-base-uncased")
    assert "all-MiniLM-L6-v2" in capsys.readouterr().out
    assert model.config.hidden_size == 384


def test_head_kwargs_pass_through():
    model = course.load_model(
        "bert-base-uncased",
        task="sequence-classification",
        num_labels=6,
        id2label={i: f"L{i}" for i in range(6)},
    )
    assert model.config.num_labels == 6 and model.config.id2label[5] == "L5"


def test_unknown_checkpoint_fails_fast_with_its_name():
    started = time.perf_counter()
    with pytest.raises(hub.CheckpointNotAvailable, match="no-such-org/no-such-model.*offline"):
        course.load_tokenizer("no-such-org/no-such-model")
    assert time.perf_counter() - started < 2


def test_unknown_task_and_bad_name_are_clear():
    with pytest.raises(ValueError, match="Unknown task 'translation'"):
        course.load_model("bert-base-uncased", task="translation")
    with pytest.raises(ValueError, match="checkpoint name"):
        course.load_tokenizer("")
    with pytest.raises(ValueError, match="Unknown pipeline task"):
        course.load_pipeline("no-such-task")


def test_online_branch_uses_the_hub(monkeypatch):
    """Simulate the Hub answering: load_* must call from_pretrained with the real name."""
    from transformers import AutoTokenizer

    calls = []
    monkeypatch.setattr(hub, "is_offline", lambda: False)
    monkeypatch.setattr(
        AutoTokenizer, "from_pretrained", classmethod(lambda cls, name, **kw: calls.append(name) or "REAL")
    )
    assert course.load_tokenizer("bert-base-uncased") == "REAL"
    assert calls == ["bert-base-uncased"]


def test_online_branch_falls_back_when_the_hub_fails(monkeypatch, capsys):
    """Simulate the Hub not answering: the stand-in is used and announced."""
    from transformers import AutoTokenizer

    real = AutoTokenizer.from_pretrained.__func__

    def flaky(cls, name, **kwargs):
        if name == "bert-base-uncased":
            raise OSError("We couldn't connect to 'https://huggingface.co'")
        return real(cls, name, **kwargs)

    monkeypatch.setattr(hub, "is_offline", lambda: False)
    monkeypatch.setattr(AutoTokenizer, "from_pretrained", classmethod(flaky))
    tokenizer = course.load_tokenizer("bert-base-uncased")
    assert tokenizer.convert_tokens_to_ids("transform") == 10938
    assert "offline" in capsys.readouterr().out
    with pytest.raises(hub.CheckpointNotAvailable, match="the Hub did not serve it"):
        course.load_tokenizer("someone/private-model")


def test_standin_registry_is_honest():
    assert standins.find("google-bert/bert-base-uncased").course_name == "bert-base-uncased"
    assert standins.find("gpt2") is None
    assert "not 768" in standins.STANDINS["bert-base-uncased"].announcement()
