"""Checks for chapter 3, "Preparing data for language modeling": group_texts, the causal LM loss, masking.

The inputs are the notebook's visible examples plus synthetic ones built so that every mistake shows: token
ids that count up (so order and loss are visible), columns whose values can be told apart, a batch without
token_type_ids, a batch of several rows (a shift across rows shows), batches with known masking fractions and
one whose [MASK] is not bert-base-uncased's 103. While the learner's function runs, the ready-made functions
that would do its work (the course's references, transformers' ForCausalLMLoss) are switched off
(`own_work`, as in the hidden tests), so calling them is named as the mistake. torch is imported inside the
functions so that `import course` stays fast.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from course.checks.base import CheckResult, fail, register, success
from course.checks.shortcuts import own_work_of

EXAMPLE_LENGTHS = (5, 3, 12, 7, 1, 9)  # 37 tokens in all
BLOCK_SIZES = (8, 4, 16, 5)  # remainders 5, 1, 5, 2
# The notebook's visible example (input_ids and attention_mask only, as a GPT-2 tokenizer gives them).
VISIBLE_EXAMPLES = {
    "input_ids": [[1, 2, 3, 4], [5, 6, 7], [8, 9, 10, 11, 12, 13]],
    "attention_mask": [[1] * 4, [1] * 3, [1] * 6],
}

# ---------------------------------------------------------------- shortcuts switched off


def _loss_shortcuts() -> tuple[list[Callable], str]:
    """The ready-made causal LM losses: transformers' (what a model's forward uses) and the course's."""
    shortcuts: list[Callable] = [reference_causal_lm_loss]
    try:
        from transformers.loss.loss_utils import ForCausalLMLoss
    except ImportError:  # pragma: no cover - older transformers have no loss_utils
        pass
    else:
        shortcuts.insert(0, ForCausalLMLoss)
    return shortcuts, (
        "causal_lm_loss calls a ready-made loss (transformers' ForCausalLMLoss, which a model's "
        "forward uses, or the course's reference), switched off while your function is checked: "
        "shift and take the cross-entropy yourself."
    )


# The checks and the hidden tests run the learner's function inside `own_work(exercise)`.
own_work = own_work_of(
    "notebook 09",
    {
        "group_texts": lambda: (
            [reference_group_texts],
            "group_texts calls the course's reference_group_texts (switched off while your function "
            "is checked): write the concatenate-then-cut yourself.",
        ),
        "causal_lm_loss": _loss_shortcuts,
    },
)


def reference_group_texts(examples: Mapping[str, list], block_size: int = 128) -> dict[str, list]:
    """Concatenate every column, drop the remainder, cut into chunks of block_size; labels = input_ids."""
    concatenated = {key: [token for example in examples[key] for token in example] for key in examples}
    total_length = len(concatenated["input_ids"])
    total_length = (total_length // block_size) * block_size
    result = {
        key: [values[i : i + block_size] for i in range(0, total_length, block_size)]
        for key, values in concatenated.items()
    }
    result["labels"] = [list(chunk) for chunk in result["input_ids"]]
    return result


def synthetic_examples() -> dict[str, list[list[int]]]:
    """Tokenized examples of varied length whose ids count up from 1000 (so order and loss show)."""
    examples: dict[str, list[list[int]]] = {"input_ids": [], "token_type_ids": [], "attention_mask": []}
    next_id = 1000
    for length in EXAMPLE_LENGTHS:
        ids = list(range(next_id, next_id + length))
        next_id += length
        examples["input_ids"].append(ids)
        examples["token_type_ids"].append([i % 2 for i in ids])
        examples["attention_mask"].append([1] * length)
    return examples


def _as_lists(value: Any) -> list[list[int]] | None:
    try:
        return [[int(t) for t in chunk] for chunk in value]
    except (TypeError, ValueError):
        return None


def _group_cases() -> Iterator[tuple[dict[str, list[list[int]]], int]]:
    """The visible example (two columns, chunks of 4), then the synthetic batch at every block size."""
    yield VISIBLE_EXAMPLES, 4
    for block_size in BLOCK_SIZES:
        yield synthetic_examples(), block_size


def _group_call(group_texts: Callable, examples: dict, block_size: int) -> tuple[Any, CheckResult | None]:
    """Run the learner's group_texts on a copy of the batch: its result, or the failure that says why not."""
    try:
        with own_work("group_texts"):
            return group_texts(copy.deepcopy(examples), block_size), None
    except KeyError as error:
        return None, fail(
            f"group_texts looked up the column {error}, which this batch does not have (its columns: "
            f"{list(examples)}; a GPT-2 tokenizer gives no token_type_ids): group the columns the "
            "batch has, `for key in examples`."
        )


def _group_columns_problem(result: Any, examples: dict) -> CheckResult | None:
    """A dict with every column of the batch and a labels column."""
    if not isinstance(result, Mapping):
        return fail(
            f"group_texts returned {type(result).__name__}: return a dict that maps each column "
            "name to its list of chunks."
        )
    missing = [key for key in examples if key not in result]
    if missing:
        return fail(
            f"the columns {missing} are missing from the result: group every column of the batch "
            "(input_ids, token_type_ids, attention_mask) the same way."
        )
    if "labels" not in result:
        return fail(
            "there is no 'labels' column: add result['labels'] = a copy of the input_ids chunks "
            "(for a causal language model the labels are the inputs; the model shifts them)."
        )
    return None


def _group_lengths_problem(chunks: list, flat: list, block_size: int, where: str) -> CheckResult | None:
    """Chunks made only of input tokens, each exactly block_size long."""
    remainder = len(flat) % block_size
    if not chunks:
        return fail(
            f"no chunks at all with block_size={block_size} for {len(flat)} tokens: cut chunks "
            "of the block_size argument (not a fixed 128), after concatenating all examples."
        )
    lengths = sorted({len(chunk) for chunk in chunks})
    padded = [t for chunk in chunks for t in chunk if t not in flat]
    if padded:
        return fail(
            f"{where} your chunks contain ids that are not in the input "
            f"({sorted(set(padded))[:3]}): padding the remainder gives the model [PAD] "
            f"tokens to learn from; drop the last {remainder} tokens instead."
        )
    if len(lengths) == 1 and lengths[0] != block_size:
        return fail(
            f"{where} every chunk has {lengths[0]} tokens: cut chunks of the block_size you are "
            "given, not a fixed number."
        )
    short = [len(chunk) for chunk in chunks if len(chunk) != block_size]
    if short and len(short) == 1 and len(chunks[-1]) == remainder:
        return fail(
            f"{where} the last chunk has only {remainder} tokens: drop the remainder "
            "(total_length = total_length // block_size * block_size), so that every chunk "
            "has block_size tokens."
        )
    if short:
        return fail(
            f"{where} chunks of length {short[:4]}: every chunk must have exactly block_size "
            "tokens. Concatenate all examples first, then cut the long sequence."
        )
    return None


def _group_order_problem(chunks: list, flat: list, block_size: int, where: str) -> CheckResult | None:
    """The first n_full * block_size tokens of the concatenation, in order: only the remainder dropped."""
    n_full = len(flat) // block_size
    remainder = len(flat) - n_full * block_size
    got = [t for chunk in chunks for t in chunk]
    if len(chunks) < n_full:
        return fail(
            f"{where} {len(chunks)} chunks ({len(got)} tokens), expected {n_full} "
            f"({n_full * block_size} tokens, only the last {remainder} dropped): cutting each "
            "example on its own throws away the end of every example. Concatenate all "
            "examples first."
        )
    if len(chunks) > n_full:
        return fail(f"{where} {len(chunks)} chunks, but only {n_full} full chunks fit: tokens are repeated.")
    if got != flat[: n_full * block_size]:
        if sorted(got) == sorted(flat[: n_full * block_size]):
            return fail(
                f"{where} the chunks hold the right tokens in the wrong order: keep the examples "
                "in their order and cut the concatenation from left to right."
            )
        return fail(
            f"{where} the chunks are not the first {n_full * block_size} tokens of the "
            "concatenated examples: only the remainder at the end may be dropped."
        )
    return None


def _group_alignment_problem(
    result: Mapping, chunks: list, examples: dict, block_size: int, where: str
) -> CheckResult | None:
    """Every column cut like input_ids, and labels a copy of the input chunks."""
    want = reference_group_texts(examples, block_size)
    for key in examples:
        if _as_lists(result[key]) != want[key]:
            return fail(
                f"{where} the column {key!r} is not cut like input_ids: apply the same "
                "concatenate-then-cut to every column, so that positions still line up."
            )
    if _as_lists(result["labels"]) != chunks:
        return fail(
            f"{where} labels differ from input_ids: for causal language modeling the labels are "
            "a copy of the inputs (the model shifts them by one position itself)."
        )
    return None


@register(
    "lm_group_texts",
    hints=(
        "Section 'Why concatenate, then chunk' and the four steps of exercise 1: concatenate first, then "
        "cut; the same for every column the batch has.",
        "Python's list tools: joining a list of lists (sum with a start value, or itertools.chain), "
        "integer division for the length you keep, range with a step for where each chunk starts.",
    ),
)
def check_group_texts(group_texts: Callable) -> CheckResult:
    """`group_texts(examples, block_size)`: full chunks only, nothing lost but the remainder, in order."""
    if not callable(group_texts):
        return fail(f"pass your function itself (group_texts), not {type(group_texts).__name__}.")
    for examples, block_size in _group_cases():
        flat = [t for example in examples["input_ids"] for t in example]
        result, problem = _group_call(group_texts, examples, block_size)
        if problem is None:
            problem = _group_columns_problem(result, examples)
        if problem is not None:
            return problem
        chunks = _as_lists(result["input_ids"])
        if chunks is None:
            return fail("result['input_ids'] should be a list of chunks, each a list of token ids.")
        where = f"with block_size={block_size} ({len(flat)} tokens in {len(examples['input_ids'])} examples)"
        for sub_check in (_group_lengths_problem, _group_order_problem):
            problem = sub_check(chunks, flat, block_size, where)
            if problem is not None:
                return problem
        problem = _group_alignment_problem(result, chunks, examples, block_size, where)
        if problem is not None:
            return problem
    return success(
        "group_texts keeps every token except the final remainder, in order, in chunks of exactly "
        "block_size, every column cut alike, with labels = input_ids."
    )


def pick_group_texts(group_texts: Callable | None) -> Callable:
    """The learner's group_texts when it passes its check, else the course's (so later cells still run)."""
    from course.checks import use_if_passing

    return use_if_passing(
        group_texts,
        "lm_group_texts",
        reference_group_texts,
        "group_texts",
        "grouping",
        "version so that the rest of the notebook runs",
    )


# ---------------------------------------------------------------- the causal LM loss


def reference_causal_lm_loss(logits, labels):
    """Cross-entropy of the logits at positions 0..n-2 against the labels at 1..n-1, ignoring -100."""
    import torch.nn.functional as F

    shift_logits = logits[:, :-1, :]
    shift_labels = labels[:, 1:]
    return F.cross_entropy(
        shift_logits.reshape(-1, logits.size(-1)), shift_labels.reshape(-1), ignore_index=-100
    )


def _loss_cases():
    import torch

    generator = torch.Generator().manual_seed(7)
    logits = torch.randn(2, 6, 11, generator=generator) * 3
    labels = torch.randint(0, 11, (2, 6), generator=generator)
    padded = labels.clone()
    padded[1, 4:] = -100  # the second row ends in padding
    return logits, labels, padded


@register(
    "lm_causal_loss",
    hints=(
        "Section 'Labels for a causal language model': the logits at position i are compared with the "
        "token at i + 1, within each row of the batch.",
        "Tensor slicing along the sequence dimension (before flattening), Tensor.reshape to flatten, "
        "and torch.nn.functional.cross_entropy with its ignore_index option.",
    ),
)
def check_causal_lm_loss(causal_lm_loss: Callable) -> CheckResult:
    """`causal_lm_loss(logits, labels)` shifts by one and ignores -100, like the model's own loss."""
    import torch.nn.functional as F

    if not callable(causal_lm_loss):
        return fail(f"pass your function itself (causal_lm_loss), not {type(causal_lm_loss).__name__}.")
    logits, labels, padded = _loss_cases()
    vocab = logits.size(-1)
    with own_work("causal_lm_loss"):
        got = causal_lm_loss(logits.clone(), labels.clone())
    try:
        got = float(got)
    except (TypeError, ValueError):
        return fail(f"causal_lm_loss returned {type(got).__name__}: return the mean loss (a scalar tensor).")
    want = float(reference_causal_lm_loss(logits, labels))
    if not math.isclose(got, want, rel_tol=1e-4):
        unshifted = float(F.cross_entropy(logits.reshape(-1, vocab), labels.reshape(-1)))
        backwards = float(F.cross_entropy(logits[:, 1:].reshape(-1, vocab), labels[:, :-1].reshape(-1)))
        across_rows = float(F.cross_entropy(logits.reshape(-1, vocab)[:-1], labels.reshape(-1)[1:]))
        positions = labels[:, 1:].numel()
        if math.isclose(got, unshifted, rel_tol=1e-4):
            return fail(
                "you compared every position with its own token: the logits at position i predict "
                "the token at i + 1, so drop the last logit and the first label "
                "(logits[:, :-1] against labels[:, 1:])."
            )
        if math.isclose(got, backwards, rel_tol=1e-4):
            return fail(
                "the shift goes the wrong way: the logits at position i predict the NEXT token, so "
                "use logits[:, :-1] with labels[:, 1:]."
            )
        if math.isclose(got, across_rows, rel_tol=1e-4):
            return fail(
                "you shifted after flattening the batch: the last logit of each row then predicts the "
                "first token of the next row. Shift each row first (logits[:, :-1], labels[:, 1:]), "
                "then flatten."
            )
        if math.isclose(got, want * positions, rel_tol=1e-4):
            return fail(
                f"your loss is the sum over the {positions} predicted positions: return their mean "
                "(F.cross_entropy's default reduction='mean')."
            )
        return fail(
            f"on a fixed batch your loss is {got:.4f}, expected {want:.4f}: flatten to "
            "[positions, vocab] and [positions], then F.cross_entropy."
        )
    try:
        with own_work("causal_lm_loss"):
            got = float(causal_lm_loss(logits.clone(), padded.clone()))
    except (IndexError, RuntimeError) as error:
        return fail(
            f"labels of -100 (padding) make your loss fail ({type(error).__name__}): pass "
            "ignore_index=-100 to F.cross_entropy so that those positions are skipped."
        )
    want = float(reference_causal_lm_loss(logits, padded))
    if not math.isclose(got, want, rel_tol=1e-4):
        return fail(
            f"with -100 labels (padding) your loss is {got:.4f}, expected {want:.4f}: positions "
            "labelled -100 must not count (ignore_index=-100, and the mean over the others)."
        )
    return success(
        "causal_lm_loss shifts by one position and ignores -100, exactly like the loss a causal "
        "model computes from labels=input_ids."
    )


# ---------------------------------------------------------------- masking statistics

MASK_ID = 103  # bert-base-uncased's [MASK]
# The [MASK] of a WordPiece vocabulary that starts [PAD] [UNK] [CLS] [SEP] [MASK] (course.tokenizer_zoo's):
# a function that compares with 103 instead of its mask_token_id argument finds no [MASK] there.
OTHER_MASK_ID = 4


def _masking_case(
    seed: int, positions: int, selected: int, masked: int, randomized: int, mask_id: int = MASK_ID
):
    """A synthetic collator output with known counts: selected positions, of which masked / random / kept."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    original = torch.randint(1000, 2000, (positions,), generator=generator)
    order = torch.randperm(positions, generator=generator)
    chosen = order[:selected]
    labels = torch.full((positions,), -100)
    labels[chosen] = original[chosen]
    inputs = original.clone()
    inputs[chosen[:masked]] = mask_id
    random_ids = chosen[masked : masked + randomized]
    inputs[random_ids] = original[random_ids] + 5000  # always a different token
    rows = 4
    return {"input_ids": inputs.reshape(rows, -1), "labels": labels.reshape(rows, -1)}, {
        "selected": selected / positions,
        "mask": masked / selected,
        "random": randomized / selected,
        "unchanged": (selected - masked - randomized) / selected,
    }


def _visible_masking_case():
    """The notebook's visible example: 10 positions, 4 selected: 2 [MASK], 1 random, 1 unchanged."""
    import torch

    batch = {
        "input_ids": torch.tensor([[5, 103, 7, 103, 9, 50, 11, 12, 13, 14]]),
        "labels": torch.tensor([[-100, 6, 7, 8, -100, 10, -100, -100, -100, -100]]),
    }
    return batch, {"selected": 0.4, "mask": 0.5, "random": 0.25, "unchanged": 0.25}


# (seed, positions, selected, [MASK], random, mask id): the last one with another tokenizer's [MASK]
MASKING_CASES = ((11, 200, 40, 32, 4, MASK_ID), (12, 160, 40, 24, 8, OTHER_MASK_ID))


def _masking_cases():
    """The synthetic batches, then the visible example (its 'unchanged' among all positions is 10 %)."""
    for case in MASKING_CASES:
        yield (*_masking_case(*case), case[-1])
    yield (*_visible_masking_case(), MASK_ID)


@register(
    "lm_masking_stats",
    hints=(
        "Section 'Labels for a masked language model' and the definitions of exercise 3: 'selected' is "
        "counted among all positions, the other three among the selected positions only.",
        "Comparing a tensor with a number gives a boolean tensor; & combines two of them and .sum() "
        "counts; the [MASK] id is the function's argument.",
    ),
)
def check_masking_stats(masking_stats: Callable) -> CheckResult:
    """`masking_stats(batch, mask_token_id)` -> fractions selected / [MASK] / random / unchanged."""
    if not callable(masking_stats):
        return fail(f"pass your function itself (masking_stats), not {type(masking_stats).__name__}.")
    keys = ("selected", "mask", "random", "unchanged")
    for batch, want, mask_id in _masking_cases():
        result = masking_stats({k: v.clone() for k, v in batch.items()}, mask_id)
        if not isinstance(result, Mapping) or any(k not in result for k in keys):
            return fail(f"return a dict with the keys {list(keys)} (fractions between 0 and 1).")
        try:
            got = {k: float(result[k]) for k in keys}
        except (TypeError, ValueError):
            return fail("each value should be a number (a fraction between 0 and 1).")
        if any(not 0 <= value <= 1 for value in got.values()):
            return fail(
                f"your values {[round(got[k], 3) for k in keys]} are not all between 0 and 1: return "
                "fractions (0.15), not percentages (15) or counts."
            )
        positions = batch["labels"].numel()
        n_selected = int((batch["labels"] != -100).sum())
        if not math.isclose(got["selected"], want["selected"], abs_tol=1e-6):
            if math.isclose(got["selected"], 1 - want["selected"], abs_tol=1e-6):
                return fail(
                    "'selected' counts the positions whose label is -100: those are the ones the "
                    "loss ignores. Selected tokens have a real label (labels != -100)."
                )
            return fail(
                f"on a batch of {positions} positions with {n_selected} labels != -100, 'selected' "
                f"should be {want['selected']:.3f}, not {got['selected']:.3f}."
            )
        if mask_id != MASK_ID and want["mask"] > 0 and math.isclose(got["mask"], 0, abs_tol=1e-9):
            return fail(
                f"with mask_token_id={mask_id} (another tokenizer's [MASK]) you found no [MASK] at all: "
                "compare input_ids with the mask_token_id argument, not with bert-base-uncased's 103 "
                "(tokenizer.mask_token_id of the notebook's tokenizer)."
            )
        for key in ("mask", "random", "unchanged"):
            if math.isclose(got[key], want[key], abs_tol=1e-6):
                continue
            if math.isclose(got[key], want[key] * want["selected"], abs_tol=1e-6):
                return fail(
                    f"'{key}' is a fraction of all positions: the 80/10/10 split is measured among "
                    "the selected tokens only (divide by the number of labels != -100)."
                )
            if key == "random" and math.isclose(got[key], want["random"] + want["mask"], abs_tol=1e-6):
                return fail(
                    "'random' also counts the [MASK] positions (they differ from their label too): a "
                    "random replacement is neither [MASK] nor the original token."
                )
            if key == "unchanged" and math.isclose(got[key], 0.1, abs_tol=1e-6):
                return fail(
                    "'unchanged' must be measured on the batch (input_ids == labels where selected), "
                    "not the collator's nominal 10%."
                )
            return fail(
                f"'{key}' should be {want[key]:.3f} on a batch with {n_selected} selected tokens, "
                f"not {got[key]:.3f}. Among selected positions: [MASK] where input_ids == "
                "mask_token_id, unchanged where input_ids == labels, random otherwise."
            )
    return success(
        "masking_stats measures the selected fraction and the [MASK] / random / unchanged split "
        "among the selected tokens."
    )


# ---------------------------------------------------------------- the library's calls: map and the collator

LM_WORDS = (
    "a quiet film with a warm heart and a cast that never falls flat the plot drifts but the music "
    "carries every scene to its end"
).split()


def lm_corpus(seed: int, size: int = 60) -> Any:
    """A small Dataset shaped like SST-2 (sentence, label, idx) of seeded sentences of 1 to 24 words."""
    import random

    from datasets import Dataset

    rng = random.Random(seed)
    sentences = [" ".join(rng.choice(LM_WORDS) for _ in range(rng.randint(1, 24))) for _ in range(size)]
    return Dataset.from_dict(
        {"sentence": sentences, "label": [rng.randrange(2) for _ in range(size)], "idx": list(range(size))}
    )


def _lm_features(tokenizer, corpus: Any, count: int = 40) -> list[dict]:
    """Rows of different lengths as a collator gets them (its padding must show)."""
    encoded = tokenizer(list(corpus["sentence"][:count]))
    return [{key: encoded[key][i] for key in encoded} for i in range(count)]


def mlm_properties(batch: Mapping[str, Any], features: list[dict], tokenizer) -> dict[str, Any]:
    """What a masked-LM batch must show, as stable values (the masking itself is random).

    Labels are the original token where selected and -100 elsewhere; unselected inputs are unchanged;
    no special token or padding is selected; about 15 % of the eligible tokens are selected (0.10-0.20
    on the few thousand tokens used here) and most selected ones (0.65-0.95) are the tokenizer's [MASK].
    """
    import torch

    original = tokenizer.pad(copy.deepcopy(features), return_tensors="pt")["input_ids"]
    ids, labels = torch.as_tensor(batch["input_ids"]), torch.as_tensor(batch["labels"])
    if ids.shape != original.shape or labels.shape != original.shape:
        return {"shape": [list(ids.shape), list(labels.shape)], "expected_shape": list(original.shape)}
    selected = labels != -100
    special = torch.isin(original, torch.tensor(tokenizer.all_special_ids))
    eligible = int((~special).sum())
    n_selected = int(selected.sum())
    masked = int(((ids == tokenizer.mask_token_id) & selected).sum())
    return {
        "shape": list(ids.shape),
        "labels_are_the_originals": bool(torch.equal(labels[selected], original[selected])),
        "unselected_unchanged": bool(torch.equal(ids[~selected], original[~selected])),
        "no_special_selected": not bool((selected & special).any()),
        "selected_about_15_percent": 0.10 <= n_selected / max(eligible, 1) <= 0.20,
        "mostly_mask": n_selected > 0 and 0.65 <= masked / n_selected <= 0.95,
    }


def lm_probe(
    function: Callable, corpus: Any, tokenizer, grouper: Callable, block_size: int, masked: bool
) -> dict:
    """For hidden tests: what `prepare_lm_data` built, as plain values (no expected value computed here)."""
    import torch

    from course.checks.processing import map_calls

    with map_calls() as calls:
        lm_dataset, collator = function(corpus, tokenizer, grouper, block_size, masked)
    probe: dict[str, Any] = {
        "batched": bool(calls) and all(calls),
        "columns": sorted(lm_dataset.column_names),
    }
    probe["chunks"] = {key: [list(row) for row in lm_dataset[key]] for key in probe["columns"]}
    features = _lm_features(tokenizer, corpus)
    torch.manual_seed(0)
    batch = collator(copy.deepcopy(features))
    if masked:
        probe["batch"] = mlm_properties(batch, features, tokenizer)
    else:
        probe["batch"] = {key: torch.as_tensor(value).tolist() for key, value in dict(batch).items()}
    return probe


def _chunks_problem(
    lm_dataset: Any, corpus: Any, tokenizer, block_size: int, what: str
) -> CheckResult | None:
    """None when `lm_dataset` holds the corpus tokenized and grouped into chunks, else what is wrong."""
    encoded = tokenizer(list(corpus["sentence"]))
    want = reference_group_texts({key: list(encoded[key]) for key in encoded}, block_size)
    columns = getattr(lm_dataset, "column_names", None)
    if columns is None:
        return fail(f"{what}: the first result is a {type(lm_dataset).__name__}, not a Dataset.")
    if sorted(columns) != sorted(want):
        return fail(f"{what}: the dataset has the columns {sorted(columns)}; chunks have {sorted(want)}.")
    chunks = [list(row) for row in lm_dataset["input_ids"]]
    sizes = sorted({len(chunk) for chunk in chunks})
    if sizes != [block_size]:
        return fail(f"{what}: chunks of {sizes[:4]} tokens for block_size={block_size}.")
    if chunks != want["input_ids"]:
        pads = sum(chunk.count(tokenizer.pad_token_id) for chunk in chunks)
        if pads:
            return fail(f"{what}: the chunks hold {pads} [PAD] tokens (id {tokenizer.pad_token_id}).")
        return fail(
            f"{what}: {len(chunks)} chunks that are not this tokenizer's tokens of the corpus, in order "
            f"({len(want['input_ids'])} chunks of them)."
        )
    for key in want:
        if [list(row) for row in lm_dataset[key]] != want[key]:
            return fail(f"{what}: the column {key!r} is not cut like input_ids.")
    return None


def _batch_problem(
    batch: Any, features: list[dict], tokenizer, masked: bool, what: str
) -> CheckResult | None:
    """None when the collator's batch is a causal (masked=False) or masked LM batch, else what is wrong."""
    import torch
    from transformers import DataCollatorForLanguageModeling

    if not isinstance(batch, Mapping) or not {"input_ids", "labels"} <= set(batch):
        return fail(f"{what}: the collator's batch has no input_ids and labels.")
    if masked:
        found = mlm_properties(batch, features, tokenizer)
        broken = [name.replace("_", " ") for name, value in found.items() if value is False]
        if "expected_shape" in found or broken:
            return fail(f"{what}: the masked-LM batch fails: {', '.join(broken) or 'its shape'}.")
        return None
    want = DataCollatorForLanguageModeling(tokenizer, mlm=False)(copy.deepcopy(features))
    for key, expected in want.items():
        value = torch.as_tensor(batch[key]) if key in batch else None
        if value is None or value.shape != expected.shape or not torch.equal(value, expected):
            pads = int((want["attention_mask"] == 0).sum())
            return fail(
                f"{what}: {key} differs from a causal-LM batch of these {len(features)} rows of different "
                f"lengths ({pads} padded positions, [PAD] {tokenizer.pad_token_id}, "
                f"[MASK] {tokenizer.mask_token_id})."
            )
    return None


# (corpus seed, block_size, masked) with the notebook's tokenizer, then with another one; hidden: other values
LM_CASES = ((1, 32, False), (2, 24, True))
OTHER_LM_WORDS = ("quiet", "film", "heart", "music", "scene")


@register(
    "lm_prepare_data",
    hints=(
        "The cells that build tokenized and lm_dataset with Dataset.map, and the two collators of "
        "'Labels for a causal language model' and 'Labels for a masked language model'.",
        "Dataset.map with batched, remove_columns and fn_kwargs; DataCollatorForLanguageModeling and its mlm "
        "option",
    ),
)
def check_prepare_lm_data(prepare_lm_data: Callable, tokenizer, grouper: Callable) -> CheckResult:
    """`prepare_lm_data(corpus, tokenizer, grouper, block_size, masked)` -> (chunked dataset, LM collator)."""
    import torch

    from course.checks.other_objects import other_wordpiece
    from course.checks.processing import map_calls

    other = other_wordpiece(OTHER_LM_WORDS)
    cases = [("the notebook's tokenizer", tokenizer, *case) for case in LM_CASES]
    cases += [
        (f"a tokenizer whose [PAD] is {other.pad_token_id}", other, seed + 2, 16, m)
        for seed, _, m in LM_CASES
    ]
    for who, tok, seed, block_size, masked in cases:
        what = f"{who}, block_size={block_size}, masked={masked}"
        corpus = lm_corpus(seed)
        with map_calls() as calls:
            result = prepare_lm_data(corpus, tok, grouper, block_size, masked)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return fail(
                f"{what}: prepare_lm_data returned {type(result).__name__}; the task asks for two results."
            )
        if not calls or not all(calls):
            return fail(
                f"{what}: Dataset.map was {'not called' if not calls else 'called without batched on'}."
            )
        problem = _chunks_problem(result[0], corpus, tok, block_size, what)
        if problem is not None:
            return problem
        features = _lm_features(tok, corpus)
        torch.manual_seed(seed)
        problem = _batch_problem(result[1](copy.deepcopy(features)), features, tok, masked, what)
        if problem is not None:
            return problem
    return success(
        "prepare_lm_data tokenizes and groups with batched Dataset.map calls, and its collator builds causal "
        "(labels = inputs, -100 on padding) or masked (about 15 % selected, mostly [MASK]) batches."
    )
