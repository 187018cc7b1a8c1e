"""Checks for chapter 2, "Behind the pipeline": the tokenizer's batch, softmax, and the pipeline's output.

torch is imported inside the checks, so that `import course` stays fast.
"""

from __future__ import annotations

from typing import Any

from course.checks.base import CheckResult, fail, register, success


def _to_tensor(value: Any):
    """A torch tensor from a tensor, a NumPy array or nested lists; None when that is impossible."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().float()
    try:
        return torch.as_tensor(value, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError):
        return None


def _label_names(id2label: dict) -> dict[int, str]:
    return {int(key): str(name) for key, name in id2label.items()}


@register("pipeline_batch")
def check_batch(
    batch: Any, tokenizer: Any, sentences: list[str], max_length: int | None = None
) -> CheckResult:
    """`batch` is `tokenizer(sentences, padding=True, truncation=True, max_length=m, return_tensors="pt")`.

    A wrong batch fails with what to change (padding, truncation, tensors, mask).
    """
    import torch

    if batch is None:
        return fail("no answer yet (None): assign the tokenizer's result, batch = tokenizer(sentences, ...)")
    if not hasattr(batch, "keys") or "input_ids" not in batch:
        return fail(
            f"expected the tokenizer's output (a BatchEncoding with input_ids and attention_mask), "
            f"got {type(batch).__name__}: call tokenizer(sentences, ...) rather than tokenize() or encode()"
        )
    if "attention_mask" not in batch:
        return fail("no attention_mask in the batch: the tokenizer returns it when called as tokenizer(...)")
    ids = batch["input_ids"]
    if not isinstance(ids, torch.Tensor):
        lengths = (
            {len(row) for row in ids} if isinstance(ids, list) and ids and isinstance(ids[0], list) else set()
        )
        if len(lengths) > 1:
            return fail(
                f"input_ids are Python lists of lengths {sorted(lengths)}: pass padding=True so the rows "
                "have one length, and return_tensors='pt' to get PyTorch tensors"
            )
        return fail(f"input_ids are a {type(ids).__name__}, not a torch.Tensor: pass return_tensors='pt'")
    if ids.dim() != 2:
        return fail(f"input_ids has shape {list(ids.shape)}: a batch is 2-D, [sentences, tokens]")
    if ids.shape[0] != len(sentences):
        return fail(
            f"{ids.shape[0]} rows for {len(sentences)} sentences: tokenize the whole list in one call"
        )
    expected = tokenizer(
        list(sentences), padding=True, truncation=True, max_length=max_length, return_tensors="pt"
    )
    want = expected["input_ids"]
    if max_length is not None and ids.shape[1] > max_length:
        return fail(
            f"rows have {ids.shape[1]} tokens, more than max_length={max_length}: "
            f"pass truncation=True together with max_length={max_length}"
        )
    if ids.shape[1] > want.shape[1]:
        return fail(
            f"rows are padded to {ids.shape[1]} tokens but the longest sentence needs only {want.shape[1]}: "
            "padding=True pads to the longest sentence in the batch (padding='max_length' pads further)"
        )
    if ids.shape != want.shape:
        return fail(
            f"input_ids has shape {list(ids.shape)}; padding=True and truncation give {list(want.shape)}"
        )
    if not torch.equal(ids, want):
        row = int((ids != want).any(dim=1).nonzero()[0])
        return fail(
            f"row {row}: the token ids differ from what this tokenizer gives; tokenize the sentences "
            "unchanged with the checkpoint's own tokenizer"
        )
    mask = torch.as_tensor(batch["attention_mask"])
    if not torch.equal(mask, expected["attention_mask"]):
        row = int((mask != expected["attention_mask"]).any(dim=1).nonzero()[0])
        pad = tokenizer.pad_token_id
        return fail(
            f"row {row}: the attention mask should be 1 on real tokens and 0 where input_ids == "
            f"pad_token_id ({pad}); keep the mask the tokenizer returned"
        )
    return success(
        f"a {list(ids.shape)} batch: padded to the longest sentence"
        + (f", truncated to {max_length} tokens" if max_length else "")
        + ", with its attention mask"
    )


@register("pipeline_probabilities")
def check_probabilities(probabilities: Any, logits: Any) -> CheckResult:
    """`probabilities` is `softmax(logits, dim=-1)`: one row per sentence, each summing to 1."""
    import torch

    if probabilities is None:
        return fail("no answer yet (None): compute the probabilities from the logits")
    logits = getattr(logits, "logits", logits)
    reference = _to_tensor(logits)
    probs = _to_tensor(getattr(probabilities, "logits", probabilities))
    if probs is None:
        return fail(f"expected a tensor of probabilities, got {type(probabilities).__name__}")
    if probs.shape != reference.shape:
        return fail(
            f"shape {list(probs.shape)}, but the logits have shape {list(reference.shape)}: "
            "softmax keeps the shape, one probability per sentence and label"
        )
    close = lambda a, b: torch.allclose(a, b, atol=1e-5)  # noqa: E731
    if close(probs, torch.softmax(reference, dim=-1)):
        return success("each sentence's row sums to 1: softmax over the labels (dim=-1)")
    if close(probs, reference):
        return fail(
            "these are the raw logits: turn them into probabilities with torch.softmax(logits, dim=-1)"
        )
    if close(probs, torch.softmax(reference, dim=0)):
        return fail(
            "each column sums to 1: you normalised over the batch (dim=0); use dim=-1 so that each "
            "sentence's probabilities over the labels sum to 1"
        )
    if close(probs, torch.sigmoid(reference)):
        return fail(
            "sigmoid scores every label on its own, so the rows do not sum to 1: "
            "use torch.softmax(logits, dim=-1)"
        )
    sums = probs.sum(dim=-1)
    if not torch.allclose(sums, torch.ones_like(sums), atol=1e-4):
        return fail(f"rows sum to {[round(float(s), 3) for s in sums]}, not 1: apply softmax over dim=-1")
    gap = float((probs - torch.softmax(reference, dim=-1)).abs().max())
    return fail(f"rows sum to 1 but differ from softmax(logits) by up to {gap:.3g}: start from these logits")


@register("pipeline_predictions")
def check_predictions(predictions: Any, logits: Any, id2label: dict) -> CheckResult:
    """`predictions` looks like the pipeline's output: [{"label": name, "score": probability}, ...]."""
    import torch

    logits = _to_tensor(getattr(logits, "logits", logits))
    names = _label_names(id2label)
    probs = torch.softmax(logits, dim=-1)
    if predictions is None:
        return fail("no answer yet (None): build one {'label': ..., 'score': ...} dict per sentence")
    if isinstance(predictions, dict):
        return fail("a single dict: return a list with one dict per sentence, like the pipeline does")
    if not isinstance(predictions, (list, tuple)):
        return fail(
            f"expected a list of dicts like the pipeline's output [{{'label': ..., 'score': ...}}, ...], "
            f"got {type(predictions).__name__}"
        )
    if len(predictions) != len(probs):
        return fail(f"{len(predictions)} predictions for {len(probs)} sentences: one dict per sentence")
    for i, item in enumerate(predictions):
        if not isinstance(item, dict) or not {"label", "score"} <= set(item):
            return fail(f"item {i} is {item!r}: each item should be a dict with the keys 'label' and 'score'")
        best = int(probs[i].argmax())
        label, score = item["label"], item["score"]
        if isinstance(label, torch.Tensor) or isinstance(label, int):
            return fail(
                f"sentence {i}: label {int(label)} is an index; turn it into a name with "
                f"model.config.id2label[index] (here {names})"
            )
        if label not in names.values():
            return fail(
                f"sentence {i}: label {label!r} is not one of the model's labels {sorted(names.values())}"
            )
        if label != names[best]:
            return fail(
                f"sentence {i}: label {label!r}, but its largest logit is {names[best]!r}: "
                "take the argmax over the last dimension (the labels), then id2label"
            )
        if isinstance(score, torch.Tensor):
            return fail(
                f"sentence {i}: the score is a tensor; the pipeline gives a Python float (use .item())"
            )
        try:
            score = float(score)
        except (TypeError, ValueError):
            return fail(f"sentence {i}: the score {score!r} is not a number")
        if abs(score - float(probs[i, best])) <= 1e-4:
            continue
        if abs(score - float(logits[i, best])) <= 1e-4:
            return fail(f"sentence {i}: the score {score:.3f} is the raw logit; apply softmax first")
        if abs(score - float(probs[i].min())) <= 1e-4:
            return fail(
                f"sentence {i}: the score {score:.3f} is the probability of the other label; "
                "report the probability of the predicted one (the largest)"
            )
        return fail(
            f"sentence {i}: score {score:.3f}, but softmax of the logits gives {float(probs[i, best]):.3f}"
        )
    return success("same labels and scores as the pipeline: softmax, then argmax, then config.id2label")
