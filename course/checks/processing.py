"""Checks for chapter 3, notebook 06 "Processing the data": tokenizing pairs, collating, padding waste.

torch and transformers are imported inside the functions, so that `import course` stays fast.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from course.checks.base import CheckResult, fail, register, success
from course.checks.other_objects import other_wordpiece
from course.checks.shortcuts import methods, own_work_of

# Sentence pairs in the style of MRPC, of different lengths; the last pair is far longer than
# the model's 512-token limit, so that a tokenize function without truncation is caught.
PAIRS: list[tuple[str, str, int]] = [
    (
        "The company said profits rose sharply in the third quarter .",
        "Profits climbed steeply in the third quarter , the company said .",
        1,
    ),
    ("He left early .", "The meeting , which had been planned for weeks , ended at noon without a vote .", 0),
    (
        "Shares fell 3 percent in early trading on the Nasdaq stock market .",
        "The stock dropped 3 percent .",
        1,
    ),
    (
        "The storm knocked out power to thousands of homes . " * 30,
        "Thousands of homes lost power during the storm , officials said . " * 30,
        1,
    ),
]
TEXT_COLUMNS = ("sentence1", "sentence2")
MODEL_INPUTS = ("input_ids", "token_type_ids", "attention_mask")


def pair_batch(pairs: Sequence[tuple[str, str, int]] = PAIRS) -> dict[str, list]:
    """A batch as `Dataset.map(..., batched=True)` passes it: a dict of columns (lists)."""
    return {
        "sentence1": [p[0] for p in pairs],
        "sentence2": [p[1] for p in pairs],
        "label": [p[2] for p in pairs],
        "idx": list(range(len(pairs))),
    }


def reference_tokenize_function(batch: Mapping[str, list], tokenizer) -> Any:
    """The course's tokenize function: both sentences of each pair, truncated, not padded."""
    return tokenizer(batch["sentence1"], batch["sentence2"], truncation=True)


# Another tokenizer (course.checks.other_objects.other_wordpiece): other ids, [PAD] not 0, and a limit of
# 24 tokens, so that a hard-coded max_length or the notebook's tokenizer shows.
OTHER_WORDS = ("the", "storm", "power", "homes", "lost", "said", "officials")
OTHER_LIMIT = 24
OTHER_PAIRS: list[tuple[str, str, int]] = [
    ("The storm .", "Homes lost power , officials said .", 1),
    ("Power lost .", "The homes .", 0),
    ("The storm knocked out power to the homes .", "Officials said homes lost power in the storm .", 1),
]


def _as_rows(value: Any) -> list | None:
    """A column of token lists as a list of lists, or None when it is not one."""
    if hasattr(value, "tolist") and not isinstance(value, (list, tuple)):
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or not all(isinstance(row, (list, tuple)) for row in value):
        return None
    return [list(row) for row in value]


def _tokenize_problem(out: Any, batch: dict, tokenizer, notebook_tokenizer, what: str) -> CheckResult | None:
    """None when `out` is the course's tokenize_function(batch, tokenizer), else what is wrong."""
    if out is None:
        return fail("tokenize_function returned None: return what the tokenizer returns.")
    if not isinstance(out, Mapping):
        return fail(
            f"tokenize_function returned a {type(out).__name__}; Dataset.map needs a dict of "
            "columns: return the tokenizer's output (input_ids, token_type_ids, attention_mask)."
        )
    missing = [key for key in MODEL_INPUTS if key not in out]
    if "input_ids" in missing:
        return fail(f"the result has no 'input_ids' (keys: {sorted(out)}): return tokenizer(...) itself.")
    import torch

    if isinstance(out["input_ids"], torch.Tensor):
        return fail(
            "you returned tensors (return_tensors=...): Dataset.map stores plain lists, and "
            "tensors are made later, batch by batch, by the data collator."
        )
    rows = _as_rows(out["input_ids"])
    if rows is None:
        return fail(
            "input_ids should hold one list of token ids per pair. With batched=True the function "
            "gets lists of sentences: pass the whole batch['sentence1'] and batch['sentence2']."
        )
    if len(rows) != len(batch["sentence1"]):
        return fail(
            f"{len(batch['sentence1'])} pairs went in but {len(rows)} rows came out: each pair of "
            "sentences should give one row of ids."
        )
    expected = reference_tokenize_function(batch, tokenizer)
    if tokenizer is not notebook_tokenizer and rows != expected["input_ids"]:
        if rows == reference_tokenize_function(batch, notebook_tokenizer)["input_ids"]:
            return fail(
                f"{what}: these are the ids of the notebook's tokenizer, not of the one passed in: "
                "call the `tokenizer` argument."
            )
    sep, pad = tokenizer.sep_token_id, tokenizer.pad_token_id
    limit = tokenizer.model_max_length
    for i, (row, want) in enumerate(zip(rows, expected["input_ids"], strict=True)):
        if row == want:
            continue
        if row.count(sep) < 2:
            return fail(
                f"pair {i} (counting from 0) has a single [SEP]: the tokenizer saw one text, not a "
                "pair of texts."
            )
        if pad in row and pad not in want:
            return fail(
                "your rows are padded: do not pad in the tokenize function. Padding every row to "
                "the same length wastes memory and compute; the data collator pads each batch to "
                "its own longest row (dynamic padding)."
            )
        if len(row) > limit:
            return fail(
                f"{what}: pair {i} has {len(row)} tokens, more than the model's limit of {limit}: pass "
                "truncation=True without max_length, so that the tokenizer cuts at its model_max_length."
            )
        if len(row) < len(want) and len(want) == limit:
            return fail(
                f"{what}: pair {i} was cut to {len(row)} tokens: keep the model's limit ({limit}), i.e. "
                "truncation=True without max_length."
            )
        return fail(
            f"{what}: pair {i} differs from tokenizer(sentence1, sentence2, truncation=True): "
            f"got {len(row)} ids, expected {len(want)}."
        )
    if missing:
        return fail(
            f"the result lacks {missing}: return everything the tokenizer gives for the pair "
            "(token_type_ids tell the model which sentence a token belongs to)."
        )
    for key in ("token_type_ids", "attention_mask"):
        if _as_rows(out[key]) != expected[key]:
            return fail(f"{key} differs from the tokenizer's: return the tokenizer's output unchanged.")
    return None


@register(
    "processing_tokenize_function",
    hints=(
        "'Tokenizing sentence pairs': give the tokenizer two texts and it builds one input; "
        "'Tokenizing the whole dataset' says what Dataset.map passes with batched=True.",
        "tokenizer(<the first sentences>, <the second sentences>, truncation=...): the two columns of the "
        "batch as two arguments; no padding, no return_tensors",
    ),
)
def check_tokenize_function(tokenize_function: Callable, tokenizer) -> CheckResult:
    """`tokenize_function(batch, tokenizer)`: tokenizer(sentence1, sentence2, truncation=True), unpadded.

    Run on MRPC-like pairs (one longer than 512 tokens) with the notebook's tokenizer, then on pairs for
    another tokenizer, whose ids and limit (24 tokens) are not BERT's.
    """
    other = other_wordpiece(OTHER_WORDS, model_max_length=OTHER_LIMIT)
    cases = [
        ("the notebook's tokenizer", tokenizer, PAIRS),
        (f"another tokenizer (limit {OTHER_LIMIT} tokens)", other, OTHER_PAIRS),
    ]
    for what, tok, pairs in cases:
        batch = pair_batch(pairs)
        with own_work("tokenize_function"):
            out = tokenize_function(copy.deepcopy(batch), tok)
        problem = _tokenize_problem(out, batch, tok, tokenizer, what)
        if problem is not None:
            return problem
    return success(
        "tokenize_function returns input_ids, token_type_ids and attention_mask for each pair, truncated "
        "to the tokenizer's limit (512 for BERT, 24 for the other one) and not padded."
    )


def pair_features(tokenizer, pairs: Sequence[tuple[str, str, int]] = PAIRS[:3]) -> list[dict]:
    """Examples as the collator receives them: one dict per pair, lists of different lengths, `label`."""
    encoded = tokenizer([p[0] for p in pairs], [p[1] for p in pairs], truncation=True)
    return [{**{key: encoded[key][i] for key in encoded}, "label": pairs[i][2]} for i in range(len(pairs))]


def _compare_batch(out: Any, want: Mapping[str, Any], tokenizer) -> CheckResult | None:
    """None when `out` equals the collator's batch `want`, else a failure that says what differs."""
    import torch

    if not isinstance(out, Mapping):
        return fail(
            f"your collate function returned a {type(out).__name__}: return a dict of tensors, "
            "one per model input (input_ids, token_type_ids, attention_mask, labels)."
        )
    if "labels" not in out and "label" in out:
        return fail(
            "rename 'label' to 'labels': the model's forward() takes labels=..., and "
            "DataCollatorWithPadding renames it for you."
        )
    missing = [key for key in want if key not in out]
    if missing:
        return fail(f"the batch lacks {missing}; DataCollatorWithPadding returns {list(want)}.")
    extra = [key for key in out if key not in want]
    if extra:
        return fail(f"the batch has extra keys {extra}: the model's forward() would reject them.")
    for key, expected in want.items():
        value = out[key]
        if not isinstance(value, torch.Tensor):
            return fail(
                f"{key} is a {type(value).__name__}, not a tensor: the model needs torch tensors "
                "(torch.tensor(rows))."
            )
        if value.dtype != expected.dtype:
            return fail(f"{key} has dtype {value.dtype}; ids and masks are integers ({expected.dtype}).")
        if tuple(value.shape) != tuple(expected.shape):
            if key != "labels" and value.dim() == 2 and value.shape[1] > expected.shape[1]:
                return fail(
                    f"{key} has shape {list(value.shape)}: you padded to {value.shape[1]} tokens. "
                    "Dynamic padding pads to the longest sequence in the batch "
                    f"({expected.shape[1]} here)."
                )
            return fail(
                f"{key} has shape {list(value.shape)}, expected {list(expected.shape)} "
                "[batch, longest sequence in the batch]."
            )
        if torch.equal(value, expected):
            continue
        if key == "labels":
            return fail("labels differ: keep each example's label, in the order of the examples.")
        lengths = want["attention_mask"].sum(dim=1)
        width = expected.shape[1]
        right = torch.arange(width)[None, :] < lengths[:, None]
        if torch.equal(value[right], expected[right]):
            pad_value = {"input_ids": tokenizer.pad_token_id, "attention_mask": 0}.get(
                key, tokenizer.pad_token_type_id
            )
            if key == "attention_mask":
                return fail(
                    "attention_mask must be 0 on padding (and 1 on real tokens), or the model "
                    "attends to the padding."
                )
            source = "tokenizer.pad_token_id" if key == "input_ids" else "tokenizer.pad_token_type_id"
            return fail(f"{key} is padded with the wrong value: pad it with {pad_value} ({source}).")
        flipped = torch.stack(
            [torch.roll(row, int(width - n)) for row, n in zip(expected, lengths, strict=True)]
        )
        if torch.equal(value, flipped):
            return fail(
                f"{key} is padded on the left; BERT's tokenizer pads on the right "
                "(tokenizer.padding_side == 'right'): append the padding after the tokens."
            )
        return fail(
            f"{key} differs from DataCollatorWithPadding's: keep each row's tokens in order, "
            "then pad on the right."
        )
    return None


@register(
    "processing_collate",
    hints=(
        "'Dynamic padding': what DataCollatorWithPadding returned for 8 rows (the shapes, and the key of "
        "the labels).",
        "max() and len() for the width; tokenizer.pad_token_id and tokenizer.pad_token_type_id; "
        "torch.tensor(..., dtype=...)",
    ),
)
def check_collate(collate_fn: Callable, tokenizer) -> CheckResult:
    """`collate_fn(features, tokenizer)` must give exactly what `DataCollatorWithPadding(tokenizer)` gives.

    Two batches with different longest rows for the notebook's tokenizer, then one for another
    tokenizer whose [PAD] is not 0; `tokenizer.pad` (which DataCollatorWithPadding calls) is blocked
    while the learner's function runs.
    """
    from transformers import DataCollatorWithPadding

    other = other_wordpiece(OTHER_WORDS, model_max_length=OTHER_LIMIT)
    cases = [(tokenizer, PAIRS[:3]), (tokenizer, PAIRS[1:3]), (other, OTHER_PAIRS)]
    for tok, pairs in cases:
        features = pair_features(tok, pairs)
        want = DataCollatorWithPadding(tokenizer=tok)(copy.deepcopy(features))
        with own_work("collate", tok):
            out = collate_fn(copy.deepcopy(features), tok)
        problem = _compare_batch(out, dict(want), tok)
        if problem is not None:
            return problem
    return success(
        "your collate function pads each batch to its longest row and returns the same "
        "tensors as DataCollatorWithPadding, for BERT's tokenizer and for one whose [PAD] is not 0."
    )


def padding_waste_reference(lengths: Sequence[int], batch_size: int) -> float:
    """Padding tokens / all tokens when consecutive batches are padded to their own longest row."""
    lengths = [int(n) for n in lengths]
    batches = [lengths[i : i + batch_size] for i in range(0, len(lengths), batch_size)]
    total = sum(max(b) * len(b) for b in batches)
    return (total - sum(lengths)) / total if total else 0.0


def batches_waste(
    lengths: Sequence[int], order: Sequence[int], batch_size: int, width: int | None = None
) -> dict[str, float]:
    """Real and padded token counts when `order` is cut into batches of `batch_size`."""
    real = padded = 0
    for start in range(0, len(order), batch_size):
        batch = [int(lengths[i]) for i in order[start : start + batch_size]]
        real += sum(batch)
        padded += (width if width is not None else max(batch)) * len(batch)
    return {
        "real_tokens": real,
        "total_tokens": padded,
        "padding_tokens": padded - real,
        "waste": (padded - real) / padded if padded else 0.0,
    }


def _waste_shortcuts() -> tuple[list[Callable], str]:
    return [padding_waste_reference, batches_waste], (
        "padding_waste calls the course's own padding code (switched off while your function is checked): "
        "count the tokens yourself."
    )


# The shortcuts switched off while the learner's function runs (course.checks.shortcuts); hidden tests too.
own_work = own_work_of(
    "notebook 06",
    {
        "tokenize_function": lambda: (
            [reference_tokenize_function],
            "tokenize_function calls the course's reference_tokenize_function (switched off while your "
            "function is checked): call the tokenizer yourself.",
        ),
        # DataCollatorWithPadding calls tokenizer.pad, on the class of the tokenizer's MRO that defines it
        "collate": lambda tokenizer: (
            methods(tokenizer, "pad"),
            "your collate function called tokenizer.pad (DataCollatorWithPadding does): this exercise "
            "rebuilds it, so pad the lists yourself.",
        ),
        "padding_waste": _waste_shortcuts,
        # the Try it out tasks use the library's API, which stays on: only the course's own answer is off
        "preprocess": lambda: (
            [reference_preprocess],
            "your function calls the course's reference_preprocess (switched off while your function is "
            "checked): the task is to write these library calls yourself.",
        ),
    },
)


# (lengths, batch_size): the last batch is smaller than batch_size in the first case.
WASTE_CASES: list[tuple[list[int], int]] = [
    ([3, 5, 2, 8, 8, 1, 4], 3),
    ([10, 10, 10, 10], 2),
    ([7, 1, 1, 1, 9, 2, 2, 2, 30], 4),
    ([12], 16),
]


@register(
    "processing_padding_waste",
    hints=(
        "the exercise's example: padding_waste([2, 4, 4, 4], 2) is 0.125; count the padding of each "
        "batch, then divide by all tokens, padding included.",
        "range(start, stop, step) and slicing to walk through the batches; max() and len() of each batch",
    ),
)
def check_padding_waste(padding_waste: Callable[[Sequence[int], int], float]) -> CheckResult:
    """`padding_waste(lengths, batch_size)`: the fraction of padding under dynamic padding."""
    for lengths, batch_size in WASTE_CASES:
        want = padding_waste_reference(lengths, batch_size)
        with own_work("padding_waste"):
            got = padding_waste(list(lengths), batch_size)
        try:
            got = float(got)
        except (TypeError, ValueError):
            return fail(f"padding_waste returned {got!r}: return one number, the fraction of padding.")
        if math.isclose(got, want, abs_tol=1e-9):
            continue
        case = f"for lengths={lengths}, batch_size={batch_size}"
        total = sum(
            max(lengths[i : i + batch_size]) * len(lengths[i : i + batch_size])
            for i in range(0, len(lengths), batch_size)
        )
        pads = total - sum(lengths)
        fixed = 1 - sum(lengths) / (max(lengths) * len(lengths))
        if got > 1:
            hint = "you returned a count or a percentage; return a fraction between 0 and 1."
            if math.isclose(got, 100 * want):
                hint = "return a fraction (0.25), not a percentage (25)."
            return fail(f"{case} you returned {got:.4g}: {hint}")
        if math.isclose(got, fixed) and not math.isclose(fixed, want):
            return fail(
                f"{case} you returned {got:.4f}, the waste of padding everything to the longest row "
                f"overall; dynamic padding pads each batch only to its own longest row ({want:.4f})."
            )
        if sum(lengths) and math.isclose(got, pads / sum(lengths)):
            return fail(
                f"{case} you divided by the real tokens; divide the padding by all tokens of the "
                f"padded batches, real ones and padding ({want:.4f})."
            )
        full = len(lengths) // batch_size * batch_size
        dropped = padding_waste_reference(lengths[:full], batch_size) if full else None
        if full < len(lengths) and dropped is not None and math.isclose(got, dropped):
            return fail(f"{case} you dropped the last, smaller batch: it is padded and counted too.")
        return fail(
            f"{case} you returned {got:.4f}, expected {want:.4f}: split the lengths into consecutive "
            "batches, pad each to its longest row, and divide all padding by all tokens."
        )
    return success("padding_waste measures the padding of dynamic padding, last batch included.")


# ================================================================ "Try it out!" tasks of 3/2
# These are where the learner types the course's own calls (Dataset.features, the tokenizer, Dataset.map,
# DataCollatorWithPadding): nothing is switched off. Each check runs the learner's function on the notebook's
# objects and on other ones built by the same generators the hidden tests use, with other names and seeds.


def labelled_dataset(names: Sequence[str], seed: int, size: int = 16) -> Any:
    """A small `datasets.Dataset` (sentence, label, idx) whose `label` is a ClassLabel of `names`.

    Labels are drawn with `seed`; `idx` is a shuffled permutation, so that the row whose idx is i is not
    element i. Built in memory in milliseconds.
    """
    import random

    from datasets import ClassLabel, Dataset, Features, Value

    rng = random.Random(seed)
    labels = [rng.randrange(len(names)) for _ in range(size)]
    idx = list(range(size))
    rng.shuffle(idx)
    features = Features(
        {"sentence": Value("string"), "label": ClassLabel(names=list(names)), "idx": Value("int32")}
    )
    sentences = [f"example sentence number {i} of {size}" for i in range(size)]
    return Dataset.from_dict({"sentence": sentences, "label": labels, "idx": idx}, features=features)


def telling_indices(dataset: Any, count: int = 2) -> list[int]:
    """Elements whose label differs from their neighbours' and from the row whose idx is that number.

    On these, an off-by-one element, the label of the row with that idx, or the idx itself all show.
    """
    labels = list(dataset["label"])
    by_idx = {int(i): position for position, i in enumerate(dataset["idx"])}
    found = []
    for i in range(1, len(labels) - 1):
        others = {labels[i - 1], labels[i + 1], labels[by_idx[i]]}
        if labels[i] not in others and int(dataset[i]["idx"]) != labels[i] and by_idx[i] != i:
            found.append(i)
    if len(found) < count:
        raise ValueError("too few telling elements: choose another seed")
    return found[:count]


def _label_problem(got: Any, dataset: Any, index: int, what: str) -> CheckResult | None:
    """None when `got` is (label, name) of element `index` of `dataset`, else what is wrong."""
    feature = dataset.features["label"]
    label = int(dataset[index]["label"])
    where = f"{what}, element {index}"
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return fail(
            f"{where}: label_of returned {got!r}; the task asks for a pair (label number, label name)."
        )
    number, name = got
    if isinstance(number, bool) or not isinstance(number, int) and not hasattr(number, "__index__"):
        return fail(f"{where}: the first item is {number!r}, not a label number (an int).")
    number = int(number)
    if number != label:
        by_idx = {int(i): p for p, i in enumerate(dataset["idx"])}
        if number == int(dataset[index]["idx"]) and not 0 <= int(dataset[index]["idx"]) < feature.num_classes:
            return fail(f"{where}: {number} is that row's idx column, not its label.")
        neighbours = {i: int(dataset[i]["label"]) for i in (index - 1, index + 1) if 0 <= i < len(dataset)}
        if index in by_idx and number == int(dataset[by_idx[index]]["label"]) and by_idx[index] != index:
            return fail(
                f"{where}: {number} is the label of the row whose idx is {index} (element {by_idx[index]})."
            )
        if number in neighbours.values() and number != label:
            return fail(f"{where}: {number} is the label of a neighbouring element, not of element {index}.")
        return fail(f"{where}: label {number} is not the label stored in that element.")
    if not isinstance(name, str):
        return fail(f"{where}: the second item is {name!r}, not the label's name (a string).")
    if name != feature.int2str(label):
        if name not in feature.names:
            return fail(f"{where}: {name!r} is not one of this dataset's label names {feature.names}.")
        return fail(
            f"{where}: {name!r} is the name of another label of this dataset's ClassLabel {feature.names}."
        )
    return None


# (names, seed) of the self-check's own datasets; the hidden tests use other names and seeds
LABEL_DATASETS = ((("negative", "neutral", "positive"), 3), (("same", "different"), 5))


@register(
    "try_label_of",
    hints=(
        "'Loading MRPC': the cell that prints raw_train_dataset.features, and what the text says a "
        "ClassLabel keeps besides the integers.",
        "indexing a Dataset like a list, its .features mapping, and the ClassLabel's names or int2str",
    ),
)
def check_label_of(label_of: Callable, raw_datasets: Any) -> CheckResult:
    """`label_of(dataset, index)` -> (label number, label name) of element `index`, from its ClassLabel.

    Run on MRPC's training element 15 and validation element 87, then on small datasets whose label names
    are not MRPC's and whose idx column is shuffled.
    """
    cases = [
        ("MRPC's training set", raw_datasets["train"], 15),
        ("MRPC's validation set", raw_datasets["validation"], 87),
    ]
    for names, seed in LABEL_DATASETS:
        dataset = labelled_dataset(names, seed)
        what = f"a dataset whose labels are {list(names)}"
        cases += [(what, dataset, index) for index in telling_indices(dataset)]
    for what, dataset, index in cases:
        problem = _label_problem(label_of(dataset, index), dataset, index, what)
        if problem is not None:
            return problem
    return success(
        "label_of reads an element's label and its name from the dataset's own ClassLabel: MRPC's training "
        "element 15 and validation element 87, and datasets with other label names."
    )


# ---------------------------------------------------------------- Try it out 2: apart and as a pair

# The notebook's own earlier example (its `inputs` cell): the self-check compares with what it computed there.
COURSE_PAIR = {"sentence1": "This is the first sentence.", "sentence2": "This is the second one."}
# Another tokenizer for the self-check: other ids, [PAD] not 0, and special tokens with other names.
OTHER_NAMES = {"cls_token": "<cls>", "sep_token": "<sep>", "pad_token": "<pad>", "unk_token": "<unk>"}
NAMED_WORDS = ("first", "second", "sentence", "storm", "homes")
NAMED_PAIR = {"sentence1": "The storm hit the homes .", "sentence2": "Homes were hit by a second storm ."}
ENCODING_KEYS = ("input_ids", "token_type_ids", "attention_mask")


def _encoding_rows(value: Any) -> dict[str, list] | None:
    """The tokenizer output `value` as {key: list of ints}, or None when it is not one encoding."""
    if not isinstance(value, Mapping) or "input_ids" not in value:
        return None
    rows = {}
    for key in ENCODING_KEYS:
        if key in value:
            row = value[key]
            row = row.tolist() if hasattr(row, "tolist") else row
            if not isinstance(row, list) or not all(isinstance(t, int) for t in row):
                return None
            rows[key] = row
    return rows


def _apart_problem(got: Any, example: Mapping, tokenizer, what: str) -> CheckResult | None:
    """None when `got` is (tokenizer(s1), tokenizer(s2), tokenizer(s1, s2)), else what is wrong."""
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        return fail(f"{what}: apart_and_pair returned {type(got).__name__}; the task asks for three results.")
    want = {
        "first sentence alone": tokenizer(example["sentence1"]),
        "second sentence alone": tokenizer(example["sentence2"]),
        "pair": tokenizer(example["sentence1"], example["sentence2"]),
    }
    for item, (name, expected) in zip(got, want.items()):
        rows = _encoding_rows(item)
        if rows is None:
            return fail(
                f"{what}: the {name} is a {type(item).__name__} whose input_ids are not one list of "
                "token ids (tensors or a batch of rows?)."
            )
        expected = {key: list(expected[key]) for key in ENCODING_KEYS if key in expected}
        if set(rows) != set(expected):
            return fail(
                f"{what}: the {name} has the keys {sorted(rows)}; the tokenizer returns {sorted(expected)}."
            )
        if rows != expected:
            ids = rows["input_ids"]
            specials = sum(t in tokenizer.all_special_ids for t in ids)
            return fail(
                f"{what}: the {name} has {len(ids)} ids with {specials} special tokens; the tokenizer "
                f"gives {len(expected['input_ids'])} ids for it."
            )
    return None


def _rebuilt_problem(
    got: Any, first: list, second: list, pair: Mapping, tokenizer, what: str
) -> CheckResult | None:
    """None when `got` holds the pair's input_ids and token_type_ids, else what is wrong."""
    if not isinstance(got, Mapping) or not {"input_ids", "token_type_ids"} <= set(got):
        return fail(
            f"{what}: pair_from_apart returned {type(got).__name__}; the task asks for a dict of two lists."
        )
    ids, types = (list(got[key]) for key in ("input_ids", "token_type_ids"))
    want_ids, want_types = list(pair["input_ids"]), list(pair["token_type_ids"])
    for name, special in (("[CLS]", tokenizer.cls_token_id), ("[SEP]", tokenizer.sep_token_id)):
        if ids.count(special) != want_ids.count(special):
            shown = tokenizer.convert_ids_to_tokens(special)
            return fail(
                f"{what}: your input_ids hold {ids.count(special)} {name} token(s) (this tokenizer's is "
                f"{shown!r}, id {special}); the pair has {want_ids.count(special)}."
            )
    if ids != want_ids:
        return fail(f"{what}: your input_ids are {ids}; the pair's are {want_ids}.")
    if len(types) != len(want_types):
        return fail(f"{what}: {len(types)} token_type_ids for {len(want_ids)} tokens.")
    if types != want_types:
        return fail(
            f"{what}: your token_type_ids are {types}; the pair's are {want_types} "
            f"(the sentences apart had {len(first)} and {len(second)} ids)."
        )
    return None


@register(
    "try_apart_and_pair",
    hints=(
        "'Tokenizing sentence pairs': the table of tokens and token_type_ids printed for the two course "
        "sentences; compare it with each sentence tokenized alone.",
        "the tokenizer called with one text and with two texts; list slicing and concatenation to rebuild "
        "the pair; the tokenizer's cls_token_id and sep_token_id",
    ),
)
def check_apart_and_pair(
    apart_and_pair: Callable, pair_from_apart: Callable, tokenizer, element: Mapping, earlier: Mapping
) -> CheckResult:
    """Element 15 tokenized apart and as a pair; the pair rebuilt from the two sentences apart.

    `earlier` is what the notebook computed before for COURSE_PAIR (its `inputs`): the pair must be the
    same. Then MRPC's `element` with the notebook's tokenizer, and a pair with another tokenizer whose
    special tokens have other names and ids.
    """
    other = other_wordpiece(NAMED_WORDS, special_names=OTHER_NAMES)
    cases = [
        ("for the notebook's two sentences (its `inputs` above)", tokenizer, COURSE_PAIR),
        ("for training element 15", tokenizer, element),
        ("for a tokenizer whose special tokens are <cls> <sep> <pad>", other, NAMED_PAIR),
    ]
    for what, tok, example in cases:
        got = apart_and_pair(dict(example), tok)
        problem = _apart_problem(got, example, tok, what)
        if problem is not None:
            return problem
        if example is COURSE_PAIR and _encoding_rows(got[2]) != {k: list(earlier[k]) for k in earlier}:
            return fail(f"{what}: your pair differs from the notebook's earlier `inputs`.")
        first, second = (list(tok(example[key])["input_ids"]) for key in TEXT_COLUMNS)
        pair = tok(example["sentence1"], example["sentence2"])
        rebuilt = pair_from_apart(list(first), list(second), tok)
        problem = _rebuilt_problem(rebuilt, first, second, pair, tok, what)
        if problem is not None:
            return problem
    return success(
        "the pair has one [CLS], a [SEP] after each sentence, and token_type_ids 1 from the second sentence "
        "on; your results match the notebook's earlier `inputs`, element 15, and a tokenizer with other "
        "special tokens."
    )


# ---------------------------------------------------------------- Try it out 3: SST-2, then any GLUE task

# The text columns of each GLUE task (None: a single-sentence task), as the datasets on the Hub name them.
GLUE_KEYS: dict[str, tuple[str, str | None]] = {
    "ax": ("premise", "hypothesis"),
    "cola": ("sentence", None),
    "mnli": ("premise", "hypothesis"),
    "mnli_matched": ("premise", "hypothesis"),
    "mnli_mismatched": ("premise", "hypothesis"),
    "mrpc": ("sentence1", "sentence2"),
    "qnli": ("question", "sentence"),
    "qqp": ("question1", "question2"),
    "rte": ("sentence1", "sentence2"),
    "sst2": ("sentence", None),
    "stsb": ("sentence1", "sentence2"),
    "wnli": ("sentence1", "sentence2"),
}
GLUE_WORDS = (
    "the film was a quiet delight and the cast never lets it fall the storm closed every road north "
    "officials said shares fell three percent a man is playing a guitar is it raining in paris today"
).split()
SHORT_WORDS = tuple(word for word in GLUE_WORDS if len(word) <= 3)
LONG_WORDS = 520  # one text per split is longer than BERT's 512-token limit


def glue_like(task: str, seed: int, rows: tuple[int, int] = (10, 5)) -> Any:
    """A small DatasetDict (train, validation) with the text columns of GLUE task `task`, label and idx.

    Texts are seeded draws of GLUE_WORDS, of different lengths; the second row of each split is
    LONG_WORDS words long (truncation shows) and the first is one short word per column, so that the
    first rows of a split always need padding, whatever the tokenizer and its limit; stsb's label is a
    float score, as on the Hub.
    """
    import random

    from datasets import Dataset, DatasetDict

    rng = random.Random(f"{task}-{seed}")
    keys = [key for key in GLUE_KEYS[task] if key]
    splits = {}
    for split, size in zip(("train", "validation"), rows):
        columns: dict[str, list] = {key: [] for key in keys}
        for row in range(size):
            for key in keys:  # one long text per split, in the first column (pair truncation is slow)
                length = LONG_WORDS if row == 1 and key == keys[0] else rng.randint(2, 14)
                words = SHORT_WORDS if row == 0 else GLUE_WORDS  # row 0 is short for any tokenizer
                columns[key].append(" ".join(rng.choice(words) for _ in range(1 if row == 0 else length)))
        columns["label"] = [
            round(rng.uniform(0, 5), 2) if task == "stsb" else rng.randrange(2) for _ in range(size)
        ]
        columns["idx"] = list(range(size))
        splits[split] = Dataset.from_dict(columns)
    return DatasetDict(splits)


@contextmanager
def map_calls() -> Iterator[list[bool]]:
    """While inside, each `datasets.Dataset.map` call is recorded (its `batched` argument) and still runs.

    Nothing is switched off: the call is the API the task teaches. The progress bars and the datasets
    logger are quiet meanwhile (a test cell must write nothing to stderr), as course.setup() leaves them.
    """
    import functools
    import importlib
    import inspect

    import datasets
    from datasets import Dataset

    original = Dataset.__dict__["map"]
    signature = inspect.signature(original)
    calls: list[bool] = []

    @functools.wraps(original)
    def recorded(*args: Any, **kwargs: Any) -> Any:
        try:
            calls.append(bool(signature.bind(*args, **kwargs).arguments.get("batched", False)))
        except TypeError:
            calls.append(False)
        return original(*args, **kwargs)

    bars = importlib.import_module("datasets.utils.tqdm")  # the module (datasets.utils.tqdm is its class)
    bars_off = bars.are_progress_bars_disabled()
    verbosity = datasets.logging.get_verbosity()
    bars.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    Dataset.map = recorded
    try:
        yield calls
    finally:
        Dataset.map = original
        datasets.logging.set_verbosity(verbosity)
        if not bars_off:
            bars.enable_progress_bars()


def reference_preprocess(raw_datasets: Any, task: str, tokenizer) -> tuple[Any, Any]:
    """The course's preprocessing of a GLUE task: its text columns through the tokenizer, and the collator."""
    from transformers import DataCollatorWithPadding

    columns = [key for key in GLUE_KEYS[task] if key]

    def tokenize(batch: Mapping[str, list]) -> Any:
        return tokenizer(*(batch[column] for column in columns), truncation=True)

    return raw_datasets.map(tokenize, batched=True), DataCollatorWithPadding(tokenizer=tokenizer)


def _texts(split: Any, keys: tuple[str, str | None]) -> list[list[str]]:
    return [list(split[key]) for key in keys if key]


def _model_inputs(tokenizer) -> list[str]:
    return [key for key in ENCODING_KEYS if key in tokenizer.model_input_names]


def _row_problem(row: list, want: list, tokenizer, where: str) -> CheckResult:
    """What is wrong with one tokenized row that differs from the tokenizer's own (truncated, unpadded)."""
    limit, pad = tokenizer.model_max_length, tokenizer.pad_token_id
    if len(row) > len(want) and row[len(want) :] == [pad] * (len(row) - len(want)):
        return fail(f"{where}: the row ends in {len(row) - len(want)} [PAD] tokens: it is padded already.")
    if len(row) > limit:
        return fail(f"{where}: the row has {len(row)} tokens, more than this tokenizer's limit of {limit}.")
    if len(row) < len(want):
        return fail(f"{where}: the row has {len(row)} tokens; this tokenizer keeps {len(want)} of that text.")
    if row.count(tokenizer.sep_token_id) != want.count(tokenizer.sep_token_id):
        return fail(
            f"{where}: the row holds {row.count(tokenizer.sep_token_id)} [SEP]; the task's text columns "
            f"tokenized together give {want.count(tokenizer.sep_token_id)}."
        )
    return fail(f"{where}: the row's {len(row)} ids differ from what this tokenizer gives for that text.")


def _collator_problem(collator: Any, features: list[dict], tokenizer, what: str) -> CheckResult | None:
    """None when `collator(features)` is what DataCollatorWithPadding(tokenizer) builds, else what differs."""
    import torch
    from transformers import DataCollatorWithPadding

    if not callable(collator):
        return fail(f"{what}: the collator returned is a {type(collator).__name__}, which cannot be called.")
    want = DataCollatorWithPadding(tokenizer=tokenizer)(copy.deepcopy(features))
    out = collator(copy.deepcopy(features))
    if not isinstance(out, Mapping) or set(out) != set(want):
        keys = sorted(out) if isinstance(out, Mapping) else type(out).__name__
        return fail(f"{what}: your collator's batch has {keys}; the model takes {sorted(want)}.")
    for key, expected in want.items():
        value = out[key]
        if not isinstance(value, torch.Tensor) or value.shape != expected.shape:
            shape = list(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
            return fail(
                f"{what}: {key} is {shape} for {len(features)} rows of at most "
                f"{max(len(f['input_ids']) for f in features)} tokens."
            )
        if not torch.equal(value, expected):
            padding = want["attention_mask"] == 0
            if key == "input_ids" and not torch.equal(value[padding], expected[padding]):
                return fail(
                    f"{what}: the padded positions of input_ids hold {sorted(set(value[padding].tolist()))}; "
                    f"this tokenizer's [PAD] is {tokenizer.pad_token_id}."
                )
            return fail(
                f"{what}: {key} differs from the batch DataCollatorWithPadding builds for these rows."
            )
    return None


def _features(tokenizer, raw: Any, keys: tuple[str, str | None], count: int = 5) -> list[dict]:
    """The first `count` training rows as the collator gets them: model inputs and label, no strings."""
    split = raw["train"].select(range(count))
    encoded = tokenizer(*_texts(split, keys), truncation=True)
    if len({len(ids) for ids in encoded["input_ids"]}) < 2:
        raise ValueError("these rows need no padding: the collator's [PAD] would not show")
    inputs = _model_inputs(tokenizer)
    return [{**{k: encoded[k][i] for k in inputs}, "label": split["label"][i]} for i in range(count)]


def _preprocess_problem(
    result: Any, calls: list[bool], raw: Any, tokenizer, keys: tuple[str, str | None], what: str
) -> CheckResult | None:
    """None when `result` is (raw mapped through the tokenizer, a padding collator), else what is wrong."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return fail(f"{what}: your function returned {type(result).__name__}; the task asks for two results.")
    tokenized, collator = result
    if not calls:
        return fail(f"{what}: Dataset.map was not called.")
    if not all(calls):
        return fail(f"{what}: Dataset.map ran one row at a time (batched was not on).")
    if not isinstance(tokenized, Mapping) or sorted(tokenized) != sorted(raw):
        found = sorted(tokenized) if isinstance(tokenized, Mapping) else type(tokenized).__name__
        return fail(
            f"{what}: the tokenized result has the splits {found}; the dataset given has {sorted(raw)}."
        )
    inputs = _model_inputs(tokenizer)
    for name, split in raw.items():
        mapped = tokenized[name]
        columns = getattr(mapped, "column_names", None)
        if columns is None or len(mapped) != len(split):
            return fail(f"{what}: the {name} split is not a Dataset of {len(split)} rows.")
        missing = [key for key in [*inputs, "label"] if key not in columns]
        if missing:
            return fail(f"{what}: the {name} split has no column {missing} (its columns: {columns}).")
        want = tokenizer(*_texts(split, keys), truncation=True)
        for key in inputs:
            got = [list(row) for row in mapped[key]]
            for index, (row, expected) in enumerate(zip(got, want[key])):
                if row != list(expected):
                    where = f"{what}, {name} row {index} ({key})"
                    return _row_problem(row, list(expected), tokenizer, where)
        if list(mapped["label"]) != list(split["label"]):
            return fail(f"{what}: the {name} split's labels are not the dataset's labels, in order.")
    return _collator_problem(collator, _features(tokenizer, raw, keys), tokenizer, what)


def _preprocess_cases(tokenizer, tasks: Sequence[str], seed: int) -> list[tuple[str, Any, Any, str]]:
    """(what, tokenizer, raw DatasetDict, task) for the notebook's tokenizer and another one, [PAD] not 0."""
    other = other_wordpiece(GLUE_WORDS[:12], model_max_length=OTHER_LIMIT)
    cases = []
    for task in tasks:
        cases.append((f"{task}-like data, the notebook's tokenizer", tokenizer, glue_like(task, seed), task))
        cases.append(
            (
                f"{task}-like data, a tokenizer whose [PAD] is {other.pad_token_id} (limit {OTHER_LIMIT})",
                other,
                glue_like(task, seed + 1),
                task,
            )
        )
    return cases


def _run_preprocess(function: Callable, cases: list, glue: bool) -> CheckResult | None:
    for what, tok, raw, task in cases:
        with map_calls() as calls, own_work("preprocess"):
            result = function(raw, task, tok) if glue else function(raw, tok)
        problem = _preprocess_problem(result, calls, raw, tok, GLUE_KEYS[task], what)
        if problem is not None:
            return problem
    return None


@register(
    "try_preprocess_sst2",
    hints=(
        "'Tokenizing the whole dataset' and 'Dynamic padding': the same two steps, with SST-2's single "
        "text column in place of MRPC's two.",
        "Dataset.map (or DatasetDict.map) with a function of a batch, and DataCollatorWithPadding",
    ),
)
def check_preprocess_sst2(preprocess_sst2: Callable, tokenizer) -> CheckResult:
    """`preprocess_sst2(raw_datasets, tokenizer)` -> (the splits mapped through the tokenizer; a collator).

    Judged on what it builds: the tokenized columns row by row (truncated, not padded), the labels, a
    batched map, and the batch its collator builds, for the notebook's tokenizer and one whose [PAD] is not 0.
    """
    problem = _run_preprocess(preprocess_sst2, _preprocess_cases(tokenizer, ["sst2"], seed=11), glue=False)
    return (
        problem
        if problem is not None
        else success(
            "preprocess_sst2 maps SST-2's sentences through the given tokenizer in batches (truncated, not "
            "padded) and returns a collator that pads each batch with that tokenizer's [PAD]."
        )
    )


@register(
    "try_preprocess_glue",
    hints=(
        "The columns of each GLUE task: print the column names of a few tasks' datasets, or read the GLUE "
        "tasks' descriptions; single-sentence tasks have one text column.",
        "a dict from task name to its text columns, the tokenizer with one or two texts, Dataset.map, "
        "DataCollatorWithPadding",
    ),
)
def check_preprocess_glue(preprocess_glue: Callable, tokenizer) -> CheckResult:
    """`preprocess_glue(raw_datasets, task, tokenizer)`: the same preprocessing for every GLUE task."""
    cases = [case for task in GLUE_KEYS for case in _preprocess_cases(tokenizer, [task], seed=21)[::-1][:1]]
    cases += _preprocess_cases(tokenizer, ["qnli", "sst2"], seed=23)
    problem = _run_preprocess(preprocess_glue, cases, glue=True)
    return (
        problem
        if problem is not None
        else success(
            f"preprocess_glue picks the text columns of each of the {len(GLUE_KEYS)} GLUE tasks, maps them "
            "in batches and returns a collator that pads with the given tokenizer's [PAD]."
        )
    )


def preprocess_probe(function: Callable, raw: Any, tokenizer, task: str | None = None) -> dict:
    """For hidden tests: what the learner's preprocessing built from `raw`, as plain values to emit.

    No expected value is computed here: the tokenized columns, the labels, whether every map was batched,
    and what the returned collator builds from the first rows (as the trusted tokenizer encodes them).
    """
    keys = GLUE_KEYS[task or "sst2"]
    with map_calls() as calls, own_work("preprocess"):
        result = function(raw, task, tokenizer) if task else function(raw, tokenizer)
    tokenized, collator = result
    probe: dict[str, Any] = {"batched": bool(calls) and all(calls), "splits": sorted(tokenized)}
    for name in sorted(tokenized):
        columns = tokenized[name].column_names
        probe[name] = {
            key: [list(r) for r in tokenized[name][key]] for key in _model_inputs(tokenizer) if key in columns
        }
        probe[name]["label"] = list(tokenized[name]["label"]) if "label" in columns else None
    probe["collated"] = dict(collator(_features(tokenizer, raw, keys)))
    return probe
