"""Shared fixtures: offline by default, the shared data directory, and the stand-in tokenizer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("COURSE_DATA_DIR", str(REPO.parent / "shared" / "data"))
os.environ.setdefault("COURSE_OFFLINE", "1")  # no test may touch the network
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    path = Path(os.environ["COURSE_DATA_DIR"])
    if not (path / "glue").is_dir():
        pytest.fail(f"the offline GLUE data is missing at {path}: set COURSE_DATA_DIR")
    return path


@pytest.fixture(scope="session")
def tokenizer():
    import course

    return course.load_tokenizer("bert-base-uncased")


@pytest.fixture(scope="session")
def classifier():
    import course

    model = course.load_model("bert-base-uncased", task="sequence-classification", num_labels=2)
    return model.eval()


# Notebooks run in fast mode under pytest (nbval starts kernels with this environment).
os.environ.setdefault("COURSE_FAST", "1")
# Notebooks used as grading fixtures are data, not tests for nbval.
collect_ignore_glob = ["fixtures/*", "fixtures/**/*"]
