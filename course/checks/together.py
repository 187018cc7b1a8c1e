"""Checks for chapter 2, "Putting it all together": the tokenizer's options, special tokens, classify().

Each check takes the learner's function, runs it on its own inputs and says what to fix.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from course.checks.base import CheckResult, fail, register, success

SCORE_TOLERANCE = 1e-4


def _tensor_kind_problem(name: str, value: Any) -> CheckResult | None:
    import torch

    if isinstance(value, torch.Tensor):
        return None
    if type(value).__module__ == "numpy":
        return fail(f'{name} is a NumPy array: ask the tokenizer for PyTorch tensors, return_tensors="pt".')
    return fail(
        f'{name} is a {type(value).__name__}: ask the tokenizer for PyTorch tensors, return_tensors="pt".'
    )


@register("together_fixed_length")
def check_fixed_length(
    encode_fixed: Callable[..., Any], tokenizer: Any, texts: Sequence[str], length: int = 8
) -> CheckResult:
    """`encode_fixed(texts, tokenizer, length)` -> every row exactly `length` tokens, PyTorch tensors."""
    import torch

    texts = list(texts)
    batch = encode_fixed(texts, tokenizer, length)
    if not hasattr(batch, "keys") or "input_ids" not in batch:
        return fail("return what the tokenizer returns: a BatchEncoding with input_ids and attention_mask.")
    if "attention_mask" not in batch:
        return fail("the batch has no attention_mask: keep the one the tokenizer returns.")
    ids, mask = batch["input_ids"], batch["attention_mask"]
    problem = _tensor_kind_problem("input_ids", ids)
    if problem is not None:
        return problem
    if ids.dim() != 2 or ids.shape[0] != len(texts):
        return fail(f"input_ids has shape {list(ids.shape)}: one row per text, [{len(texts)}, {length}].")
    width = ids.shape[1]
    if width < length:
        return fail(
            f'rows are {width} tokens long, not {length}: padding="longest" (or True) pads to the '
            f'longest text only; padding="max_length" with max_length={length} pads to {length}.'
        )
    if width > length:
        return fail(
            f"rows are {width} tokens long, not {length}: cut the long texts with truncation=True "
            f'and max_length={length} (padding="max_length" pads the short ones).'
        )
    expected = tokenizer(texts, padding="max_length", truncation=True, max_length=length, return_tensors="pt")
    if not torch.equal(ids, expected["input_ids"]):
        row = next(i for i in range(len(texts)) if not torch.equal(ids[i], expected["input_ids"][i]))
        return fail(
            f"row {row} differs from the tokenizer's own truncation: {ids[row].tolist()} vs "
            f"{expected['input_ids'][row].tolist()}; let the tokenizer pad and truncate "
            "(it keeps [CLS] and [SEP])."
        )
    if not torch.equal(
        torch.as_tensor(mask).to(expected["attention_mask"].dtype), expected["attention_mask"]
    ):
        return fail("the attention mask is not the tokenizer's: 1 on real tokens, 0 on padding.")
    return success(
        f"every row is exactly {length} tokens: short texts padded, long ones truncated, "
        "[CLS] ... [SEP] kept, PyTorch tensors."
    )


SPECIAL_TEXTS = ("I hate this so much!", "Tokenizers add special tokens.", "ok")


@register("together_special_tokens")
def check_special_tokens(with_special_tokens: Callable[..., Any], tokenizer: Any) -> CheckResult:
    """`with_special_tokens(ids, tokenizer)` adds what `tokenizer(text)` adds around the bare ids."""
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    for text in SPECIAL_TEXTS:
        ids = tokenizer.convert_tokens_to_ids(tokenizer.tokenize(text))
        given = copy.deepcopy(ids)
        result = with_special_tokens(given, tokenizer)
        if given != ids:
            return fail(
                "with_special_tokens changed the list it was given (insert/append in place): "
                "return a new list, e.g. [cls] + ids + [sep]."
            )
        if hasattr(result, "tolist"):
            result = result.tolist()
        if not isinstance(result, list):
            return fail(f"with_special_tokens returned a {type(result).__name__}: return a list of ids.")
        expected = tokenizer(text)["input_ids"]
        if result == expected:
            continue
        if result == ids:
            return fail(
                f"no special tokens were added: the model was trained with [CLS] ({cls}) first and "
                f"[SEP] ({sep}) last."
            )
        if result[:1] == [sep] or result[-1:] == [cls]:
            return fail(
                f"[CLS] and [SEP] are swapped: [CLS] ({cls}) opens the sequence, [SEP] ({sep}) closes it."
            )
        if result[:1] != [cls]:
            return fail(f"the result does not start with [CLS] (tokenizer.cls_token_id = {cls}).")
        if result[-1:] != [sep]:
            return fail(f"the result does not end with [SEP] (tokenizer.sep_token_id = {sep}).")
        return fail(f"for {text!r}: {result} differs from tokenizer(text)['input_ids'] = {expected}.")
    return success("your ids match tokenizer(text)['input_ids']: [CLS] + the words' ids + [SEP].")


COURSE_SENTENCES = (
    "I've been waiting for a HuggingFace course my whole life.",
    "I hate this so much!",
)


def _logits(model: Any, tokenizer: Any, texts: list[str], mask: bool = True) -> Any:
    import torch

    batch = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    if not mask:
        batch.pop("attention_mask")
    with torch.no_grad():
        return model(**batch).logits


@register("together_classify")
def check_classify(
    classify: Callable[[list[str]], Any], texts: Sequence[str] = COURSE_SENTENCES, classifier: Any = None
) -> CheckResult:
    """`classify(texts)` returns what the sentiment pipeline returns: [{'label': ..., 'score': ...}, ...]."""
    import torch

    texts = list(texts)
    if classifier is None:
        from transformers import pipeline

        classifier = pipeline("sentiment-analysis")
    expected = classifier(texts)
    result = classify(list(texts))
    if not isinstance(result, list) or len(result) != len(texts):
        return fail(
            f"classify must return a list with one result per text ({len(texts)}), got "
            f"{type(result).__name__}{'' if not hasattr(result, '__len__') else f' of {len(result)}'}."
        )
    for i, (mine, theirs) in enumerate(zip(result, expected)):
        if not isinstance(mine, dict) or set(mine) != {"label", "score"}:
            return fail(f"result {i} is {mine!r}: each result is a dict with two keys, 'label' and 'score'.")
        label, score = mine["label"], mine["score"]
        if not isinstance(label, str):
            return fail(
                f"result {i} has label {label!r}, a class index: turn it into a name with "
                "model.config.id2label[index]."
            )
        if hasattr(score, "item"):
            score = score.item()
        if not isinstance(score, float):
            return fail(
                f"result {i} has score of type {type(score).__name__}: return a Python float (tensor.item())."
            )
        if not 0.0 <= score <= 1.0:
            return fail(
                f"result {i} has score {score:.3f}, outside [0, 1]: these are logits; turn them into "
                "probabilities with torch.softmax(logits, dim=-1)."
            )
        if label != theirs["label"]:
            return fail(
                f"text {i}: you say {label}, the pipeline says {theirs['label']} "
                f"({theirs['score']:.2f}): take the label of the largest probability (argmax)."
            )
        if abs(score - theirs["score"]) > SCORE_TOLERANCE:
            model, tokenizer = classifier.model, classifier.tokenizer
            plain = torch.softmax(_logits(model, tokenizer, texts, mask=False), dim=-1).max(dim=-1).values
            if abs(score - plain[i].item()) <= SCORE_TOLERANCE:
                return fail(
                    f"text {i}: score {score:.4f} vs the pipeline's {theirs['score']:.4f}: the padded "
                    "row was run without its attention mask; pass **batch (with attention_mask)."
                )
            return fail(
                f"text {i}: score {score:.4f} vs the pipeline's {theirs['score']:.4f}: softmax over the "
                "labels (dim=-1), of logits from the same tokenizer and model, with the attention mask."
            )
    return success(f"classify matches the pipeline on all {len(texts)} texts: labels and scores.")
