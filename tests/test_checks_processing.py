"""Checks of notebook 06 "Processing the data": each fed a right answer and realistic wrong ones.

The last test proves that every failure message of course.checks.processing is reached by one of them.
"""

from __future__ import annotations

import pytest
import torch
from message_coverage import assert_every_failure_reached
from transformers import DataCollatorWithPadding

import course.checks.processing
from course.checks import run_check
from course.checks.processing import padding_waste_reference, pair_batch, reference_tokenize_function


def _verdict(name, *args):
    result = run_check(name, *args)
    return result.passed, result.message


# ---- processing_tokenize_function -------------------------------------------------------------


def test_tokenize_function_right_answer_passes(tokenizer):
    def tokenize_function(batch, tok):
        return tok(batch["sentence1"], batch["sentence2"], truncation=True)

    passed, message = _verdict("processing_tokenize_function", tokenize_function, tokenizer)
    assert passed, message
    assert reference_tokenize_function(pair_batch(), tokenizer)["input_ids"][0][0] == 101, "restored"


def _first_pair_reversed(b, tok):
    return tok(b["sentence2"], b["sentence1"], truncation=True)


def _no_segments(b, tok):
    out = dict(tok(b["sentence1"], b["sentence2"], truncation=True))
    out["token_type_ids"] = [[0] * len(row) for row in out["token_type_ids"]]
    return out


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (
            lambda tok: lambda b, t: t(b["sentence1"], b["sentence2"], truncation=True, padding="max_length"),
            "padded",
        ),
        (lambda tok: lambda b, t: t(b["sentence1"], b["sentence2"], truncation=True, padding=True), "padded"),
        (lambda tok: lambda b, t: t(b["sentence1"], truncation=True), "single [SEP]"),
        (lambda tok: lambda b, t: t(b["sentence1"], b["sentence2"]), "more than the model's limit of 512"),
        (
            lambda tok: lambda b, t: t(b["sentence1"], b["sentence2"], truncation=True, max_length=128),
            "cut to 128",
        ),
        (
            lambda tok: lambda b, t: t(b["sentence1"], b["sentence2"], truncation=True, max_length=512),
            "more than the model's limit of 24",
        ),
        (
            lambda tok: lambda b, t: tok(b["sentence1"], b["sentence2"], truncation=True),
            "ids of the notebook's tokenizer",
        ),
        (
            lambda tok: (
                lambda b, t: t(
                    b["sentence1"], b["sentence2"], truncation=True, padding=True, return_tensors="pt"
                )
            ),
            "tensors",
        ),
        (
            lambda tok: lambda b, t: t(b["sentence1"][0], b["sentence2"][0], truncation=True),
            "one list of token ids per pair",
        ),
        (
            lambda tok: lambda b, t: t(b["sentence1"][:2], b["sentence2"][:2], truncation=True),
            "4 pairs went in but 2 rows came out",
        ),
        (lambda tok: _first_pair_reversed, "differs from tokenizer(sentence1, sentence2, truncation=True)"),
        (lambda tok: _no_segments, "token_type_ids differs from the tokenizer's"),
        (lambda tok: lambda b, t: None, "returned None"),
        (
            lambda tok: lambda b, t: t(b["sentence1"], b["sentence2"], truncation=True)["input_ids"],
            "dict of columns",
        ),
        (
            lambda tok: lambda b, t: {"ids": t(b["sentence1"], b["sentence2"], truncation=True).input_ids},
            "no 'input_ids'",
        ),
        (
            lambda tok: (
                lambda b, t: {"input_ids": t(b["sentence1"], b["sentence2"], truncation=True).input_ids}
            ),
            "lacks ['token_type_ids', 'attention_mask']",
        ),
        (lambda tok: reference_tokenize_function.__call__, "calls the course's reference_tokenize_function"),
    ],
    ids=[
        "max_length",
        "padding_true",
        "one_sentence",
        "no_truncation",
        "max_length_128",
        "max_length_512",
        "notebook_tokenizer",
        "tensors",
        "first_pair_only",
        "two_pairs",
        "reversed",
        "no_segments",
        "none",
        "ids_only",
        "no_input_ids",
        "missing_keys",
        "reference",
    ],
)
def test_tokenize_function_wrong_answers_fail(tokenizer, make, needle):
    passed, message = _verdict("processing_tokenize_function", make(tokenizer), tokenizer)
    assert not passed
    assert needle in message, message


def test_tokenize_function_unanswered_says_not_yet(tokenizer):
    def tokenize_function(batch, tokenizer):
        raise NotImplementedError()

    passed, message = _verdict("processing_tokenize_function", tokenize_function, tokenizer)
    assert not passed and message.startswith("not yet")


# ---- processing_collate ------------------------------------------------------------------------


def _hand_collate(
    tokenizer,
    *,
    width=None,
    pad_id=None,
    mask_pad=0,
    left=False,
    label_key="labels",
    as_tensor=True,
    dtype=torch.long,
):
    def collate(features, tokenizer):
        pad = tokenizer.pad_token_id if pad_id is None else pad_id
        longest = width or max(len(f["input_ids"]) for f in features)
        pads = {"input_ids": pad, "token_type_ids": 0, "attention_mask": mask_pad}
        batch = {}
        for key, value in pads.items():
            rows = []
            for f in features:
                padding = [value] * (longest - len(f[key]))
                rows.append(padding + list(f[key]) if left else list(f[key]) + padding)
            batch[key] = torch.tensor(rows, dtype=dtype) if as_tensor else rows
        labels = [f["label"] for f in features]
        batch[label_key] = torch.tensor(labels) if as_tensor else labels
        return batch

    return collate


def test_collate_right_answers_pass(tokenizer):
    passed, message = _verdict("processing_collate", _hand_collate(tokenizer), tokenizer)
    assert passed, message


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"width": 128}, "you padded to 128 tokens"),
        ({"label_key": "label"}, "rename 'label' to 'labels'"),
        ({"as_tensor": False}, "not a tensor"),
        ({"mask_pad": 1}, "attention_mask must be 0 on padding"),
        ({"left": True}, "padded on the left"),
        ({"pad_id": 100}, "padded with the wrong value: pad it with 0"),
        ({"pad_id": 0}, "padded with the wrong value: pad it with 9"),
        ({"dtype": torch.float32}, "dtype torch.float32"),
    ],
    ids=[
        "fixed_128",
        "label_not_renamed",
        "lists",
        "mask_ones",
        "left_padding",
        "unk_padding",
        "bert_pad",
        "float",
    ],
)
def test_collate_wrong_answers_fail(tokenizer, options, needle):
    passed, message = _verdict("processing_collate", _hand_collate(tokenizer, **options), tokenizer)
    assert not passed
    assert needle in message, message


def test_collate_missing_key_and_non_dict_fail(tokenizer):
    def no_types(features, tok):
        batch = _hand_collate(tok)(features, tok)
        return {k: v for k, v in batch.items() if k != "token_type_ids"}

    passed, message = _verdict("processing_collate", no_types, tokenizer)
    assert not passed and "lacks ['token_type_ids']" in message
    passed, message = _verdict("processing_collate", lambda features, tok: features, tokenizer)
    assert not passed and "returned a list" in message


def _changed(change):
    def collate(features, tok):
        return change(_hand_collate(tok)(features, tok))

    return collate


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        (_changed(lambda b: {**b, "label": b["labels"]}), "extra keys ['label']"),
        (_changed(lambda b: {**b, "labels": b["labels"][:, None]}), "labels has shape [3, 1], expected [3]"),
        (
            _changed(lambda b: {**b, "input_ids": b["input_ids"][:, :-1]}),
            "expected [3, 27] [batch, longest sequence in the batch]",
        ),
        (_changed(lambda b: {**b, "labels": b["labels"].flip(0)}), "labels differ"),
        (
            _changed(lambda b: {**b, "input_ids": b["input_ids"].flip(0)}),
            "input_ids differs from DataCollatorWithPadding's",
        ),
        (lambda features, tok: DataCollatorWithPadding(tok)(features), "called tokenizer.pad"),
        (lambda features, tok: tok.pad(features, return_tensors="pt"), "called tokenizer.pad"),
    ],
    ids=["extra_key", "labels_2d", "too_narrow", "labels_order", "rows_order", "collator", "tokenizer_pad"],
)
def test_collate_more_wrong_answers_fail(tokenizer, answer, needle):
    passed, message = _verdict("processing_collate", answer, tokenizer)
    assert not passed
    assert needle in message, message


def test_collate_unblocks_pad_afterwards(tokenizer):
    _verdict("processing_collate", lambda features, tok: DataCollatorWithPadding(tok)(features), tokenizer)
    assert DataCollatorWithPadding(tokenizer)([{"input_ids": [1, 2]}, {"input_ids": [3]}])[
        "input_ids"
    ].shape == (
        2,
        2,
    )


# ---- processing_padding_waste ------------------------------------------------------------------


def test_padding_waste_reference_example():
    assert padding_waste_reference([2, 4, 4, 4], 2) == pytest.approx(0.125)
    assert padding_waste_reference([5, 5, 5], 2) == 0


def test_padding_waste_right_answers_pass():
    import numpy as np

    def with_numpy(lengths, batch_size):
        lengths = np.asarray(lengths)
        chunks = [lengths[i : i + batch_size] for i in range(0, len(lengths), batch_size)]
        total = sum(c.max() * len(c) for c in chunks)
        return 1 - lengths.sum() / total

    passed, message = _verdict("processing_padding_waste", with_numpy)
    assert passed, message


def _fixed(lengths, batch_size):
    return 1 - sum(lengths) / (max(lengths) * len(lengths))


def _per_real_token(lengths, batch_size):
    chunks = [lengths[i : i + batch_size] for i in range(0, len(lengths), batch_size)]
    return sum(max(c) * len(c) - sum(c) for c in chunks) / sum(lengths)


def _by_hand(lengths, batch_size):
    chunks = [lengths[i : i + batch_size] for i in range(0, len(lengths), batch_size)]
    total = sum(max(c) * len(c) for c in chunks)
    return (total - sum(lengths)) / total


def _drop_last(lengths, batch_size):
    full = len(lengths) // batch_size * batch_size
    return _by_hand(lengths[:full] or lengths, batch_size)


def _percent(lengths, batch_size):
    return 100 * _by_hand(lengths, batch_size)


def _plot_helper(lengths, batch_size):
    from course.viz.training import _batches_waste

    return _batches_waste(lengths, range(len(lengths)), batch_size)["waste"]


def _count(lengths, batch_size):
    chunks = [lengths[i : i + batch_size] for i in range(0, len(lengths), batch_size)]
    return sum(max(c) * len(c) - sum(c) for c in chunks)


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        (_fixed, "longest row overall"),
        (_per_real_token, "divided by the real tokens"),
        (_drop_last, "dropped the last, smaller batch"),
        (_percent, "not a percentage"),
        (_count, "a count or a percentage"),
        (lambda lengths, batch_size: "0.3", "expected"),
        (lambda lengths, batch_size: [0.1, 0.2], "return one number"),
        (padding_waste_reference, "calls the course's own padding code"),
        (_plot_helper, "calls the course's own padding code"),
    ],
    ids=[
        "fixed",
        "per_real_token",
        "drop_last",
        "percent",
        "count",
        "wrong_value",
        "list",
        "reference",
        "helper",
    ],
)
def test_padding_waste_wrong_answers_fail(answer, needle):
    passed, message = _verdict("processing_padding_waste", answer)
    assert not passed
    assert needle in message, message


# ---- the padding plot --------------------------------------------------------------------------


def test_padding_stats_and_plot():
    import random

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course.viz.training import batch_orders, padding_stats, plot_padding_waste

    rng = random.Random(0)
    lengths = [rng.randint(20, 100) for _ in range(300)]
    stats = padding_stats(lengths, batch_size=16, max_length=128, seed=1)
    assert stats["fixed"]["waste"] == pytest.approx(1 - sum(lengths) / (128 * len(lengths)))
    orders = batch_orders(lengths, batch_size=16, seed=1)
    for name in ("dynamic", "grouped"):
        assert sorted(orders[name]) == list(range(len(lengths)))
        ordered = [lengths[i] for i in orders[name]]
        assert stats[name]["waste"] == pytest.approx(padding_waste_reference(ordered, 16))
    assert stats["grouped"]["waste"] < stats["dynamic"]["waste"] < stats["fixed"]["waste"]
    assert all(s["real_tokens"] == sum(lengths) for s in stats.values())
    assert padding_stats(lengths, seed=1) == stats, "seeded: the same numbers every time"
    fig, again = plot_padding_waste(lengths, seed=1)
    assert again == stats and len(fig.axes[0].patches) == 3
    plt.close(fig)
    with pytest.raises(ValueError, match="max_length"):
        padding_stats([10, 200], max_length=128)


def test_every_failure_message_is_reached():
    assert_every_failure_reached(course.checks.processing)
