"""The local GLUE parquet files give the Hub's splits, columns and labels."""

from __future__ import annotations

import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from course import data


def test_mrpc_offline_matches_the_hub(data_dir):
    mrpc = data.load_glue_offline("mrpc")
    assert {k: len(v) for k, v in mrpc.items()} == {"train": 3668, "validation": 408, "test": 1725}
    assert mrpc["train"].features["label"].names == ["not_equivalent", "equivalent"]
    assert mrpc["train"].column_names == ["sentence1", "sentence2", "label", "idx"]
    assert mrpc["train"]["label"][:10] == [1, 0, 1, 0, 1, 1, 0, 1, 0, 0]


def test_sst2_offline(data_dir):
    sst2 = data.load_glue_offline("sst2")
    assert {k: len(v) for k, v in sst2.items()} == {"train": 67349, "validation": 872}
    assert sst2["validation"].features["label"].names == ["negative", "positive"]


def test_load_dataset_reads_the_offline_home(data_dir):
    """setup() ran in conftest: the library's own load_dataset finds GLUE offline."""
    from datasets import load_dataset

    mrpc = load_dataset("glue", "mrpc")
    assert len(mrpc["validation"]) == 408 and "local parquet" in mrpc["train"].info.description


def test_missing_data_directory_names_the_path(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(data.DataNotFoundError, match=str(tmp_path / "nowhere")):
        data.load_glue_offline("mrpc")


def test_unknown_task():
    with pytest.raises(ValueError, match="Unknown GLUE task 'cola'"):
        data.load_glue_offline("cola")


def test_wrong_columns_and_bad_file(tmp_path, data_dir):
    folder = tmp_path / "glue" / "sst2"
    folder.mkdir(parents=True)
    shutil.copy(data_dir / "glue/sst2/train.parquet", folder / "train.parquet")
    pq.write_table(pa.table({"text": ["a"], "label": [0]}), folder / "validation.parquet")
    with pytest.raises(data.DataNotFoundError, match="lacks the columns"):
        data.load_glue_offline("sst2", root=tmp_path)
    (folder / "validation.parquet").write_text("not parquet")
    with pytest.raises(data.DataNotFoundError, match="not a readable parquet"):
        data.load_glue_offline("sst2", root=tmp_path)
