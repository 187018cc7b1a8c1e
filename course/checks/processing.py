"""Checks for chapter 3, notebook 06 "Processing the data": tokenizing pairs, collating, padding waste.

torch and transformers are imported inside the functions, so that `import course` stays fast.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping, Sequence
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
            f"{len(batch['sentence1'])} pairs went in but {len(rows)} rows came out: tokenize the "
            "two columns together, tokenizer(batch['sentence1'], batch['sentence2'], ...)."
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
                f"pair {i} has a single [SEP]: the tokenizer saw one text, not a pair. Pass the two "
                "sentences as two arguments: tokenizer(batch['sentence1'], batch['sentence2'], ...)."
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


def _waste_shortcuts() -> tuple[list[Callable], str]:
    from course.viz.training import _batches_waste

    return [padding_waste_reference, _batches_waste], (
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
