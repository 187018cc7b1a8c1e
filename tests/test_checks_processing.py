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
    from course.checks.processing import batches_waste

    return batches_waste(lengths, range(len(lengths)), batch_size)["waste"]


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


# ---- the Try it out tasks (try_label_of, try_apart_and_pair, try_preprocess_sst2, try_preprocess_glue)


@pytest.fixture(scope="module")
def mrpc():
    from datasets import load_dataset

    return load_dataset("nyu-mll/glue", "mrpc")


def _label_of(dataset, index):
    number = dataset[index]["label"]
    return number, dataset.features["label"].int2str(number)


def test_label_of_right_answer_passes(mrpc):
    passed, message = _verdict("try_label_of", _label_of, mrpc)
    assert passed, message


def test_telling_indices_show_every_mistake():
    from course.checks.processing import labelled_dataset, telling_indices

    dataset = labelled_dataset(("a", "b", "c"), 3)
    for index in telling_indices(dataset):
        labels = dataset["label"]
        assert labels[index] not in (labels[index - 1], labels[index + 1])
        assert dataset[index]["idx"] != index


def _named(dataset, number):
    return number, dataset.features["label"].int2str(number)


def _names(dataset, index):
    return dataset.features["label"].names


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        (lambda d, i: d[i]["label"], "asks for a pair"),
        (lambda d, i: ("0", "x"), "not a label number"),
        (lambda d, i: (d[i]["idx"], "x"), "idx column"),
        (lambda d, i: _named(d, d[i - 1]["label"]), "neighbouring element"),
        (lambda d, i: _named(d, d.filter(lambda r: r["idx"] == i)[0]["label"]), "the row whose idx is"),
        (lambda d, i: (d[i]["label"], 0), "not the label's name"),
        (lambda d, i: (d[i]["label"], ["not_equivalent", "equivalent"][d[i]["label"] % 2]), "not one of"),
        (
            lambda d, i: (d[i]["label"], _names(d, i)[(d[i]["label"] + 1) % len(_names(d, i))]),
            "another label",
        ),
    ],
)
def test_label_of_wrong_answers_fail(mrpc, answer, needle):
    passed, message = _verdict("try_label_of", answer, mrpc)
    assert not passed and needle in message, message


def test_label_of_other_wrong_label_fails(mrpc):
    from course.checks.processing import _label_problem, labelled_dataset

    dataset = labelled_dataset(("a", "b", "c", "d", "e", "f"), 1, size=40)
    labels = dataset["label"]
    index = next(
        i
        for i in range(1, 39)
        if len({labels[i - 1], labels[i], labels[i + 1]}) == 3
        and labels[i] != dataset[i]["idx"]
        and labels[[int(x) for x in dataset["idx"]].index(i)] not in (labels[i - 1], labels[i + 1], labels[i])
    )
    wrong = next(n for n in range(6) if n not in (labels[i] for i in (index - 1, index, index + 1)))
    problem = _label_problem((wrong, "a"), dataset, index, "a dataset")
    assert problem is not None and "is not the label stored" in problem.message, problem


def _apart(example, tok):
    return (
        tok(example["sentence1"]),
        tok(example["sentence2"]),
        tok(example["sentence1"], example["sentence2"]),
    )


def _rebuild(first, second, tok):
    return {"input_ids": first + second[1:], "token_type_ids": [0] * len(first) + [1] * (len(second) - 1)}


def _earlier(tokenizer):
    from course.checks.processing import COURSE_PAIR

    return tokenizer(COURSE_PAIR["sentence1"], COURSE_PAIR["sentence2"])


def test_apart_and_pair_right_answer_passes(tokenizer, mrpc):
    passed, message = _verdict(
        "try_apart_and_pair", _apart, _rebuild, tokenizer, mrpc["train"][15], _earlier(tokenizer)
    )
    assert passed, message


def _keys_dropped(example, tok):
    first, second, pair = _apart(example, tok)
    return {"input_ids": first["input_ids"]}, second, pair


@pytest.mark.parametrize(
    ("apart", "rebuild", "needle"),
    [
        (lambda e, t: _apart(e, t)[:2], _rebuild, "three results"),
        (lambda e, t: (t([e["sentence1"]]), *_apart(e, t)[1:]), _rebuild, "not one list"),
        (_keys_dropped, _rebuild, "has the keys"),
        (
            lambda e, t: (t(e["sentence1"], add_special_tokens=False), *_apart(e, t)[1:]),
            _rebuild,
            "special tokens",
        ),
        (_apart, lambda a, b, t: (a, b), "dict of two lists"),
        (_apart, lambda a, b, t: {"input_ids": a + b, "token_type_ids": []}, "[CLS] token(s)"),
        (
            _apart,
            lambda a, b, t: {"input_ids": a[:1] + b[1:] + a[1:], "token_type_ids": []},
            "your input_ids are",
        ),
        (_apart, lambda a, b, t: {"input_ids": a + b[1:], "token_type_ids": [0]}, "token_type_ids for"),
        (
            _apart,
            lambda a, b, t: {"input_ids": a + b[1:], "token_type_ids": [0] * (len(a) + len(b) - 1)},
            "(the",
        ),
    ],
)
def test_apart_and_pair_wrong_answers_fail(tokenizer, mrpc, apart, rebuild, needle):
    passed, message = _verdict(
        "try_apart_and_pair", apart, rebuild, tokenizer, mrpc["train"][15], _earlier(tokenizer)
    )
    assert not passed and needle in message, message


def test_apart_and_pair_compares_with_the_notebooks_earlier_inputs(tokenizer, mrpc):
    earlier = dict(_earlier(tokenizer))
    earlier["token_type_ids"] = [0] * len(earlier["input_ids"])  # not what the notebook computed
    passed, message = _verdict("try_apart_and_pair", _apart, _rebuild, tokenizer, mrpc["train"][15], earlier)
    assert not passed and "earlier `inputs`" in message, message


def _sst2(options=None, batched=True, collator=None, returned=None):
    options = {"truncation": True} if options is None else options

    def preprocess(raw, tok):
        tokenized = raw.map(lambda b: tok(b["sentence"], **options), batched=batched)
        made = collator(tok) if collator else DataCollatorWithPadding(tokenizer=tok)
        return (returned(tokenized) if returned else tokenized), made

    return preprocess


def test_preprocess_sst2_right_answer_passes(tokenizer):
    passed, message = _verdict("try_preprocess_sst2", _sst2(), tokenizer)
    assert passed, message


def _without_labels(tokenized):
    return {name: split.remove_columns(["label"]) for name, split in tokenized.items()}


def _few_rows(tokenized):
    return {name: split.select(range(2)) for name, split in tokenized.items()}


def _labels_shuffled(tokenized):
    return {
        name: split.map(lambda b: {"label": [1 - x for x in b["label"]]}, batched=True)
        for name, split in tokenized.items()
    }


def _keys_only(tok):
    return lambda rows: {"input_ids": DataCollatorWithPadding(tok)(rows)["input_ids"]}


def _mask_changed(tok):
    def collate(rows):
        batch = DataCollatorWithPadding(tok)(rows)
        batch["attention_mask"] = torch.ones_like(batch["attention_mask"])
        return batch

    return collate


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        (lambda raw, tok: raw, "two results"),
        (lambda raw, tok: ({k: v for k, v in raw.items()}, DataCollatorWithPadding(tok)), "was not called"),
        (_sst2(batched=False), "one row at a time"),
        (_sst2(returned=lambda t: {"train": t["train"]}), "the splits"),
        (_sst2(returned=_few_rows), "is not a Dataset of"),
        (_sst2(returned=_without_labels), "has no column"),
        (_sst2(returned=_labels_shuffled), "labels are not"),
        (_sst2({"truncation": True, "padding": True}), "padded already"),
        (_sst2({}), "more than this tokenizer's limit"),
        (_sst2({"truncation": True, "max_length": 8}), "this tokenizer keeps"),
        (_sst2(collator=lambda tok: 42), "cannot be called"),
        (_sst2(collator=_keys_only), "the model takes"),
        (
            _sst2(collator=lambda tok: DataCollatorWithPadding(tok, padding="max_length", max_length=600)),
            "rows of at most",
        ),
        (
            _sst2(collator=lambda tok: DataCollatorWithPadding(tokenizer=tokenizer_of_bert())),
            "padded positions",
        ),
        (_sst2(collator=_mask_changed), "differs from the batch"),
    ],
)
def test_preprocess_sst2_wrong_answers_fail(tokenizer, answer, needle):
    passed, message = _verdict("try_preprocess_sst2", answer, tokenizer)
    assert not passed and needle in message, message


def tokenizer_of_bert():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained("bert-base-uncased")


def test_row_problem_names_a_wrong_pair(tokenizer):
    from course.checks.processing import _row_problem

    pair = tokenizer("a b", "c d")["input_ids"]
    single = tokenizer("a b c d")["input_ids"]
    assert "[SEP]" in _row_problem(single + [1000], pair, tokenizer, "here").message  # one [SEP], same length
    assert "differ from what" in _row_problem(pair[::-1], pair, tokenizer, "here").message


def test_preprocess_glue_right_answer_passes_and_the_reference_is_switched_off(tokenizer):
    from course.checks.processing import GLUE_KEYS

    def preprocess(raw, task, tok):
        columns = [key for key in GLUE_KEYS[task] if key]
        return raw.map(lambda b: tok(*(b[c] for c in columns), truncation=True), batched=True), (
            DataCollatorWithPadding(tokenizer=tok)
        )

    passed, message = _verdict("try_preprocess_glue", preprocess, tokenizer)
    assert passed, message

    def reference(raw, task, tok):
        from course.checks.processing import reference_preprocess

        return reference_preprocess(raw, task, tok)

    passed, message = _verdict("try_preprocess_glue", reference, tokenizer)
    assert not passed and "reference_preprocess" in message, message


def test_preprocess_probe_reports_what_was_built(tokenizer):
    from course.checks.processing import glue_like, preprocess_probe

    probe = preprocess_probe(_sst2(), glue_like("sst2", 1), tokenizer)
    assert probe["batched"] and probe["splits"] == ["train", "validation"]
    assert probe["collated"]["input_ids"].shape[0] == 5
    probe = preprocess_probe(_sst2(batched=False), glue_like("sst2", 1), tokenizer)
    assert not probe["batched"]


def test_every_failure_message_is_reached():
    assert_every_failure_reached(course.checks.processing)
