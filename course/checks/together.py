"""Checks for chapter 2, "Putting it all together": the tokenizer's options, special tokens, classify().

Each check takes the learner's function and runs it on the notebook's examples and on inputs of its
own, chosen so that each mistake a message names shows: texts all shorter (or all longer) than the
asked length, a tokenizer whose ids are not BERT's and a model with another head and other label names
(`course.checks.other_objects`). While the learner's function runs, `own_work(exercise)` switches off
the one-call API the exercise rebuilds by hand (the pipeline in `classify`, the tokenizer's own encoding
in `with_special_tokens`; `course.checks.shortcuts`), so that the check can say so. The hidden tests use
the same objects (with other words, labels and seeds than here) and the same `own_work`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from course.checks.base import CheckResult, fail, register, success
from course.checks.other_objects import BERT_IDS, changed_classifier, other_wordpiece
from course.checks.shortcuts import encoding_methods, own_work_of, pipeline_methods

SCORE_TOLERANCE = 1e-4


# --- the shortcuts switched off while the learner's function runs ----------------------------------------

own_work = own_work_of(
    "notebook 05",
    {
        "with_special_tokens": lambda tokenizer: (
            encoding_methods(tokenizer),
            "with_special_tokens called the tokenizer on a text (tokenizer(...) or encode): add the two "
            "special ids to the ids yourself.",
        ),
        "classify": lambda: (
            [*pipeline_methods(), reference_scores],
            "classify built or ran a pipeline (or the course's reference_scores): the exercise is the "
            "pipeline by hand. Use the tokenizer and the model you are given.",
        ),
    },
)


# --- exercise 1: fixed-length batches ------------------------------------------------------------------

SHORT_TEXTS = ("Yes.", "No way.", "Fine by me!")  # each far shorter than 12 tokens
LONG_TEXTS = ("This sentence is far too long for five tokens.", "So is this one, by quite a margin.")
FIXED_WORDS = ("pad", "the", "short", "rows", "cut", "long", "ones")
FIXED_TEXTS = ("Pad the short rows.", "ok", "Cut the long rows, keep the short ones whole, and pad.")


def _tensor_kind_problem(name: str, value: Any) -> CheckResult | None:
    import torch

    if isinstance(value, torch.Tensor):
        return None
    if type(value).__module__ == "numpy":
        return fail(f'{name} is a NumPy array: ask the tokenizer for PyTorch tensors, return_tensors="pt".')
    return fail(
        f'{name} is a {type(value).__name__}: ask the tokenizer for PyTorch tensors, return_tensors="pt".'
    )


def _fixed_cases(tokenizer: Any, texts: list[str], length: int) -> list[tuple[str, Any, list[str], int]]:
    other = other_wordpiece(FIXED_WORDS)
    return [
        (f"your texts, length {length}", tokenizer, texts, length),
        ("texts all shorter than 12 tokens, length 12", tokenizer, list(SHORT_TEXTS), 12),
        ("texts all longer than 5 tokens, length 5", tokenizer, list(LONG_TEXTS), 5),
        (f"another tokenizer ([PAD] is {other.pad_token_id}), length 7", other, list(FIXED_TEXTS), 7),
    ]


@register(
    "together_fixed_length",
    hints=(
        "Sections 1 and 2 of the notebook (Padding, Truncation): which padding value pads to max_length, "
        "and which switch cuts the long texts.",
        "one call: tokenizer(texts, padding=..., truncation=..., max_length=..., return_tensors=...); "
        "look up the padding strategy that fills every row up to max_length",
    ),
)
def check_fixed_length(
    encode_fixed: Callable[..., Any], tokenizer: Any, texts: Sequence[str], length: int = 8
) -> CheckResult:
    """`encode_fixed(texts, tokenizer, length)` -> every row exactly `length` tokens, PyTorch tensors.

    Run on the learner's texts, then on texts all shorter and all longer than the length, then with a
    tokenizer whose [PAD] is not 0.
    """
    import torch

    cases = _fixed_cases(tokenizer, list(texts), length)
    for case, tok, case_texts, n in cases:
        batch = encode_fixed(list(case_texts), tok, n)
        if not hasattr(batch, "keys") or "input_ids" not in batch:
            return fail(
                "return what the tokenizer returns: a BatchEncoding with input_ids and attention_mask."
            )
        if "attention_mask" not in batch:
            return fail("the batch has no attention_mask: keep the one the tokenizer returns.")
        ids, mask = batch["input_ids"], batch["attention_mask"]
        problem = _tensor_kind_problem("input_ids", ids)
        if problem is not None:
            return problem
        if ids.dim() != 2 or ids.shape[0] != len(case_texts):
            return fail(
                f"{case}: input_ids has shape {list(ids.shape)}: one row per text, [{len(case_texts)}, {n}]."
            )
        width = ids.shape[1]
        if width < n:
            return fail(
                f'{case}: rows are {width} tokens long, not {n}: padding="longest" (or True) pads to the '
                f'longest text only; padding="max_length" with max_length={n} pads to {n}.'
            )
        if width > n:
            return fail(
                f"{case}: rows are {width} tokens long, not {n}: cut the long texts with truncation=True "
                f'and max_length={n} (padding="max_length" pads the short ones).'
            )
        expected = tok(case_texts, padding="max_length", truncation=True, max_length=n, return_tensors="pt")
        if not torch.equal(ids, expected["input_ids"]):
            if tok is not tokenizer:
                notebook = tokenizer(case_texts, padding="max_length", truncation=True, max_length=n)
                if ids.tolist() == notebook["input_ids"]:
                    return fail(
                        f"{case}: these are the ids of the notebook's tokenizer, not of the one passed "
                        "in: call the `tokenizer` argument."
                    )
            row = next(i for i in range(len(case_texts)) if not torch.equal(ids[i], expected["input_ids"][i]))
            return fail(
                f"{case}: row {row} is {ids[row].tolist()}, the tokenizer gives "
                f"{expected['input_ids'][row].tolist()}: let the tokenizer pad (with its own [PAD] id) and "
                "truncate (it keeps [CLS] and [SEP])."
            )
        if not torch.equal(
            torch.as_tensor(mask).to(expected["attention_mask"].dtype), expected["attention_mask"]
        ):
            return fail(f"{case}: the attention mask is not the tokenizer's: 1 on real tokens, 0 on padding.")
    return success(
        f"every row is exactly `length` tokens ({len(cases)} cases: short texts padded, long ones truncated, "
        "another tokenizer), [CLS] ... [SEP] kept, PyTorch tensors."
    )


# --- exercise 2: special tokens ------------------------------------------------------------------------

SPECIAL_TEXTS = ("I hate this so much!", "Tokenizers add special tokens.", "ok")
SPECIAL_WORDS = ("frame", "every", "input", "with", "its", "own", "ids", "special", "tokens")
OTHER_SPECIAL_TEXTS = ("Special tokens frame every input.", "Its own ids!")
# pieces of no text (a continuation first): re-encoding their decoded text gives other ids
ODD_PIECES = ("##q", "frame", "##z", "x", "ids")


def _special_cases(tokenizer: Any) -> list[tuple[str, Any, list[int], list[int]]]:
    """(what, tokenizer, bare ids, expected ids) on the notebook's tokenizer, then on another one."""
    other = other_wordpiece(SPECIAL_WORDS)
    cases = []
    for tok, texts in ((tokenizer, SPECIAL_TEXTS), (other, OTHER_SPECIAL_TEXTS)):
        for text in texts:
            bare = tok.convert_tokens_to_ids(tok.tokenize(text))
            cases.append((repr(text), tok, bare, list(tok(text)["input_ids"])))
    odd = other.convert_tokens_to_ids(list(ODD_PIECES))
    cases.append(("ids of no text", other, odd, [other.cls_token_id, *odd, other.sep_token_id]))
    return cases


@register(
    "together_special_tokens",
    hints=(
        "Section 4 (Special tokens): compare tokenizer(sequence) with tokenize + convert_tokens_to_ids, "
        "and decode both.",
        "tokenizer.cls_token_id and tokenizer.sep_token_id; build a new list with +, do not insert in place",
    ),
)
def check_special_tokens(with_special_tokens: Callable[..., Any], tokenizer: Any) -> CheckResult:
    """`with_special_tokens(ids, tokenizer)` adds what `tokenizer(text)` adds around the bare ids.

    Run on the notebook's tokenizer, then on one whose [CLS]/[SEP] ids are not BERT's, last on ids of
    no text; the tokenizer's own encoding is blocked while the learner's function runs.
    """
    for what, tok, ids, expected in _special_cases(tokenizer):
        cls, sep = tok.cls_token_id, tok.sep_token_id
        given = copy.deepcopy(ids)
        with own_work("with_special_tokens", tok):
            result = with_special_tokens(given, tok)
        if given != ids:
            return fail(
                "with_special_tokens changed the list it was given (insert/append in place): "
                "return a new list, e.g. [cls] + ids + [sep]."
            )
        if hasattr(result, "tolist"):
            result = result.tolist()
        if not isinstance(result, list):
            return fail(f"with_special_tokens returned a {type(result).__name__}: return a list of ids.")
        if result == expected:
            continue
        if result == ids:
            return fail(
                f"no special tokens were added: the model was trained with [CLS] ({cls}) first and "
                f"[SEP] ({sep}) last."
            )
        if cls != BERT_IDS["cls"] and (result[:1] == [BERT_IDS["cls"]] or result[-1:] == [BERT_IDS["sep"]]):
            return fail(
                f"for a tokenizer whose [CLS] is {cls} and [SEP] {sep} you added BERT's 101 and 102: "
                "take the ids from the tokenizer, not from memory."
            )
        if result[:1] == [sep] or result[-1:] == [cls]:
            return fail(
                f"[CLS] and [SEP] are swapped: [CLS] ({cls}) opens the sequence, [SEP] ({sep}) closes it."
            )
        if result[:1] != [cls]:
            return fail(f"the result does not start with [CLS] (tokenizer.cls_token_id = {cls}).")
        if result[-1:] != [sep]:
            return fail(f"the result does not end with [SEP] (tokenizer.sep_token_id = {sep}).")
        return fail(
            f"for {what}: {result} differs from the expected {expected}: keep the ids in between as given."
        )
    return success(
        "your ids match tokenizer(text)['input_ids'], for BERT's tokenizer and for one with other ids: "
        "[CLS] + the ids + [SEP]."
    )


# --- exercise 3: classify(texts, tokenizer, model) -----------------------------------------------------

COURSE_SENTENCES = (
    "I've been waiting for a HuggingFace course my whole life.",
    "I hate this so much!",
)
CLASSIFY_TEXTS = (
    "Not bad.",
    "A long, slow film that nobody in the audience seemed to enjoy at all.",
    "Great!",
)
CLASSIFY_WORDS = ("film", "great", "slow", "not", "bad")


def reference_scores(tokenizer: Any, model: Any, texts: Sequence[str], mask: bool = True) -> Any:
    """Softmax probabilities of one padded, truncated batch (without the attention mask: mask=False)."""
    import torch

    batch = tokenizer(list(texts), padding=True, truncation=True, return_tensors="pt")
    if not mask:
        batch.pop("attention_mask")
    with torch.no_grad():
        return torch.softmax(model(**batch).logits, dim=-1)


def _labelled(model: Any, scores: Any) -> list[tuple[str, float]]:
    return [(model.config.id2label[int(row.argmax())], row.max().item()) for row in scores]


def _same(result: list[dict], labelled: list[tuple[str, float]]) -> bool:
    return all(
        r["label"] == label and abs(float(r["score"]) - score) <= SCORE_TOLERANCE
        for r, (label, score) in zip(result, labelled, strict=True)
    )


def _classify_cases(tokenizer: Any, model: Any, texts: list[str]) -> list[tuple[str, Any, Any, list[str]]]:
    changed = changed_classifier(model)
    return [
        ("the notebook's tokenizer and model", tokenizer, model, texts),
        ("a model with a new head of 3 labels (bad, meh, good)", tokenizer, changed, list(CLASSIFY_TEXTS)),
        ("another tokenizer (other ids) and that model", other_wordpiece(CLASSIFY_WORDS), changed, texts),
    ]


@register(
    "together_classify",
    hints=(
        "Section 5 (From text to labels in one piece): the cell before the pipeline does every step.",
        "tokenizer(texts, padding=..., truncation=..., return_tensors=...); model(**batch).logits under "
        "torch.no_grad(); torch.softmax(..., dim=...); model.config.id2label; tensor.item()",
    ),
)
def check_classify(
    classify: Callable[..., Any], tokenizer: Any, model: Any, texts: Sequence[str] = COURSE_SENTENCES
) -> CheckResult:
    """`classify(texts, tokenizer, model)` returns what the sentiment pipeline returns, built by hand.

    Run on the notebook's objects, then on a model with another head and label names, then with a
    tokenizer whose ids are not BERT's; building or running a pipeline is blocked meanwhile.
    """
    texts = list(texts)
    for what, tok, mdl, case_texts in _classify_cases(tokenizer, model, texts):
        scores = reference_scores(tok, mdl, case_texts)
        expected = _labelled(mdl, scores)
        with own_work("classify"):
            result = classify(list(case_texts), tok, mdl)
        if not isinstance(result, list) or len(result) != len(case_texts):
            size = f" of {len(result)}" if hasattr(result, "__len__") else ""
            return fail(
                f"{what}: classify must return a list with one result per text ({len(case_texts)}), got "
                f"{type(result).__name__}{size}."
            )
        for i, mine in enumerate(result):
            if not isinstance(mine, dict) or set(mine) != {"label", "score"}:
                return fail(
                    f"result {i} is {mine!r}: each result is a dict with two keys, 'label' and 'score'."
                )
            label, score = mine["label"], mine["score"]
            if not isinstance(label, str):
                return fail(
                    f"result {i} has label {label!r}, a class index: the pipeline gives the label's "
                    "name, from the model's configuration."
                )
            if not isinstance(score, float):
                return fail(
                    f"result {i} has a score of type {type(score).__name__}: return a Python float "
                    "(tensor.item())."
                )
            if not 0.0 <= score <= 1.0:
                return fail(
                    f"result {i} has score {score:.3f}, outside [0, 1]: these are logits, not "
                    "probabilities."
                )
        if _same(result, expected):
            continue
        names = sorted(mdl.config.id2label.values())
        if mdl is not model:
            if _same(result, _labelled(model, reference_scores(tok, model, case_texts))):
                return fail(
                    f"{what}: you returned the answers of the notebook's model: use the `model` argument."
                )
            strays = sorted({r["label"] for r in result} - set(names))
            if strays:
                return fail(
                    f"{what}: labels {strays} are not this model's ({names}): take the names from "
                    "model.config.id2label, not from memory."
                )
        if tok is not tokenizer and _same(
            result, _labelled(mdl, reference_scores(tokenizer, mdl, case_texts))
        ):
            return fail(f"{what}: you tokenized with the notebook's tokenizer: use the `tokenizer` argument.")
        unmasked = _labelled(mdl, reference_scores(tok, mdl, case_texts, mask=False))
        if _same(result, unmasked):
            return fail(
                f"{what}: your scores are those of the padded batch run without its attention mask; pass "
                "**batch (with attention_mask) to the model."
            )
        i = next(i for i, (r, e) in enumerate(zip(result, expected, strict=True)) if not _same([r], [e]))
        label, score = expected[i]
        if result[i]["label"] != label:
            return fail(
                f"{what}, text {i}: you say {result[i]['label']}, the model says {label} ({score:.2f}): take "
                "the label of the largest probability (argmax over the labels)."
            )
        return fail(
            f"{what}, text {i}: score {result[i]['score']:.4f}, expected {score:.4f}: softmax over the "
            "labels (dim=-1), of logits from the given tokenizer and model, with the attention mask."
        )
    return success(
        "classify matches the pipeline: labels and scores, for the notebook's model, for a model with "
        "other labels and for another tokenizer."
    )
