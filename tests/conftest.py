"""Shared fixtures: offline by default, the shared data directory, and the stand-in tokenizer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("COURSE_DATA_DIR", str(REPO.parent / "shared" / "data"))
os.environ.setdefault("COURSE_OFFLINE", "1")  # no test may touch the network
os.environ.setdefault("HF_HUB_OFFLINE", "1")

# As in a notebook's first cell, before anything imports transformers or datasets: offline, this points
# the Hugging Face libraries at the course's offline home, so tests load with the library's own calls.
import course  # noqa: E402

course.setup(verbose=False)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    path = Path(os.environ["COURSE_DATA_DIR"])
    if not (path / "glue").is_dir():
        pytest.fail(f"the offline GLUE data is missing at {path}: set COURSE_DATA_DIR")
    return path


@pytest.fixture(scope="session")
def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained("bert-base-uncased")


@pytest.fixture(scope="session")
def classifier():
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased", num_labels=2)
    return model.eval()


# Notebooks run in fast mode under pytest (nbval starts kernels with this environment).
os.environ.setdefault("COURSE_FAST", "1")
# Notebooks used as grading fixtures are data, not tests for nbval.
collect_ignore_glob = ["fixtures/*", "fixtures/**/*"]
