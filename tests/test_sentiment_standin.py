"""The sentiment pipeline's offline stand-in: built by `course prepare-offline`, honest, accurate."""

from __future__ import annotations

import pytest

from course import standins
from course.prepare import MIN_SST2_ACCURACY


@pytest.fixture(scope="module")
def meta():
    found = standins.sentiment_meta()
    if found is None:
        pytest.fail("the sentiment stand-in is not built: run `course prepare-offline` (CI does)")
    return found


def test_accuracy_meets_the_bar(meta):
    assert meta["sst2_validation_accuracy"] >= MIN_SST2_ACCURACY


def test_pipeline_labels_the_course_sentences(meta):
    from transformers import pipeline

    classifier = pipeline(
        "sentiment-analysis"
    )  # no model given: the pinned default, answered by the stand-in
    results = classifier(
        ["I've been waiting for a HuggingFace course my whole life.", "I hate this so much!"]
    )
    assert [r["label"] for r in results] == ["POSITIVE", "NEGATIVE"]
    # Measured with the default recipe (v3) for seeds 42 / 7 / 1234: 0.74 / 0.75 / 0.75 and 0.98 / 0.98 /
    # 0.98 (the original checkpoint: 0.96 and 1.00). The first sentence is hard for an SST-2 model
    # ("waiting" is 77 % negative in SST-2 train).
    assert min(r["score"] for r in results) >= 0.7, f"margin too small: {results}"
    record = classifier.model.config.course_standin
    assert record["stands_in_for"] == "distilbert-base-uncased-finetuned-sst-2-english"
    assert "SST-2" in record["weights"]


def test_pipeline_agrees_with_validation_labels(meta):
    from datasets import load_dataset
    from transformers import pipeline

    sst2 = load_dataset("glue", "sst2")["validation"].select(range(200))
    classifier = pipeline("sentiment-analysis")
    predicted = [r["label"] == "POSITIVE" for r in classifier(list(sst2["sentence"]))]
    agreement = sum(int(p) == y for p, y in zip(predicted, sst2["label"])) / len(predicted)
    assert agreement >= 0.8


def test_tail_average_is_the_mean_of_the_snapshots():
    import torch

    from course.sentiment_standin import TailAverage

    model = torch.nn.Linear(2, 1)
    frozen = torch.nn.Parameter(torch.zeros(1), requires_grad=False)
    model.register_parameter("frozen", frozen)
    averager = TailAverage(model, start_step=4, every=2)
    seen = []
    for step in range(1, 10):
        with torch.no_grad():
            model.weight.fill_(float(step))
        averager.update(step)
        if step >= 4 and (step - 4) % 2 == 0:
            seen.append(float(step))
    assert seen == [4.0, 6.0, 8.0]
    averager.apply()
    assert torch.allclose(model.weight, torch.full((1, 2), sum(seen) / len(seen)))
    assert "frozen" not in averager.mean, "only trainable weights are averaged"


def test_tail_average_before_its_start_changes_nothing():
    import torch

    from course.sentiment_standin import TailAverage

    model = torch.nn.Linear(2, 1)
    before = model.weight.detach().clone()
    averager = TailAverage(model, start_step=100)
    for step in range(1, 10):
        averager.update(step)
    averager.apply()
    assert torch.equal(model.weight, before)
