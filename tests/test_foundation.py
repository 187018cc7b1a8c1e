"""The foundation: fast import, setup report, checkpoints and data through one door each."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

import course
from course import env, standins


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
    for needle in ("device: cpu", "OFFLINE", "transformers 5"):
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


def test_standin_registry_is_honest():
    bert = standins.find("google-bert/bert-base-uncased")
    assert bert is standins.find("bert-base-uncased") and bert.course_name == "bert-base-uncased"
    assert standins.find("gpt2") is None and standins.find("bert-base-cased") is None
    record = bert.record()
    assert record["stands_in_for"] == "bert-base-uncased" and "768" in record["differs"]
    assert "all-MiniLM-L6-v2" in record["weights"]


def test_the_probe_follows_hf_endpoint(monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:8123")
    assert env.hub_address() == ("127.0.0.1", 8123)
    monkeypatch.delenv("HF_ENDPOINT")
    assert env.hub_address() == ("huggingface.co", 443)


# (GPU, compute capability) -> the mixed precision the course picks. bf16 only where it is native (>= 8.0).
GPUS = [
    (None, None, "none"),  # no CUDA: full precision
    ("Tesla T4", (7, 5), "fp16"),  # free Colab: bf16 only through emulation
    ("Tesla V100", (7, 0), "fp16"),
    ("A100", (8, 0), "bf16"),
    ("L4", (8, 9), "bf16"),
    ("H100", (9, 0), "bf16"),
]


def _fake_gpu(monkeypatch, name, capability):
    """torch.cuda as it looks with `name` (compute capability `capability`), or with no GPU."""
    import types

    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: name is not None)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    major, minor = capability or (0, 0)
    properties = types.SimpleNamespace(name=name, major=major, minor=minor, total_memory=16 * 2**30)
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda device=None: properties)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (major, minor))
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: name)
    monkeypatch.setattr(torch.cuda, "_check_bf16_tensor_supported", lambda device: True)  # emulation "works"
    monkeypatch.setattr(torch.version, "hip", None)


@pytest.mark.parametrize(("name", "capability", "precision"), GPUS, ids=[g[0] or "no GPU" for g in GPUS])
def test_bf16_only_where_the_gpu_does_it_natively(monkeypatch, name, capability, precision):
    import torch

    from course.checks.trainer import precision_flags_reference

    _fake_gpu(monkeypatch, name, capability)
    # what the notebook used to ask says True on a T4 (emulation): it must not decide
    assert torch.cuda.is_bf16_supported() is (name is not None)
    assert env.native_bf16() is (precision == "bf16")
    assert env.pick_device() == ("cuda" if name else "cpu")
    # benchmarks/mrpc_full.py's choice and the reference answer of notebook 07's exercise
    device = env.pick_device()
    flags = precision_flags_reference(device, env.native_bf16())
    assert flags == {"fp16": precision == "fp16", "bf16": precision == "bf16"}


@pytest.mark.parametrize(("name", "capability", "precision"), GPUS, ids=[g[0] or "no GPU" for g in GPUS])
def test_notebook_07_picks_the_precision_from_the_device(monkeypatch, name, capability, precision):
    """Notebook 07's own cell (the solution's code, run as written) on faked GPUs."""
    import types

    import nbformat

    from course.checks.trainer import precision_flags_reference
    from course.notebooks import SOLUTIONS

    notebook = nbformat.read(SOLUTIONS / "chapter3" / "07_trainer_api.ipynb", as_version=4)
    cell = next(c.source for c in notebook.cells if c.cell_type == "code" and "bf16_supported =" in c.source)
    _fake_gpu(monkeypatch, name, capability)
    scope = {
        "env": types.SimpleNamespace(device=env.pick_device()),
        "precision_flags": precision_flags_reference,
    }
    exec(compile(cell, "07_trainer_api.ipynb", "exec"), scope)  # noqa: S102 - the notebook's own cell
    assert scope["flags"] == {"fp16": precision == "fp16", "bf16": precision == "bf16"}
