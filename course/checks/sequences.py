"""Checks for chapter 2, "Handling multiple sequences": batches, padding, attention masks, truncation.

Each check takes the learner's function (so that an unanswered exercise only makes the check say
"not yet") and returns a `CheckResult` whose message says what to fix.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from course.checks.base import CheckResult, fail, register, success
from course.checks.other_objects import other_wordpiece

TOLERANCE = 1e-4  # masked batch vs single sentence: measured gaps are below 1e-5 on CPU


def _shape(value: Any) -> list[int]:
    return list(value.shape)


def _not_a_tensor(name: str, value: Any) -> CheckResult | None:
    import torch

    if isinstance(value, torch.Tensor):
        return None
    kind = type(value).__name__
    return fail(f"{name} is a {kind}, not a torch.Tensor: the model needs tensors, e.g. torch.tensor(rows).")


@register(
    "sequences_batch_dim",
    hints=(
        "Section 1, Models expect a batch: the cell that makes the model run adds one thing to the ids "
        "before building the tensor.",
        "torch.tensor(...) of a list that holds the ids as its only row, with dtype=torch.long "
        "(or .unsqueeze(0) on a 1-D tensor).",
    ),
)
def check_batch_dim(as_batch: Callable[[list[int]], Any]) -> CheckResult:
    """`as_batch(ids)` turns one sentence's ids into a model-ready tensor of shape [1, len(ids)]."""
    import torch

    for ids in ([1045, 5223, 2023, 2061, 2172, 999], [7592]):
        batch = as_batch(list(ids))
        if isinstance(batch, (list, tuple)):
            return fail(
                f"as_batch returned a {type(batch).__name__}: wrap it in a tensor, torch.tensor([ids])."
            )
        problem = _not_a_tensor("as_batch(ids)", batch)
        if problem is not None:
            return problem
        expected = [1, len(ids)]
        if batch.dim() == 1:
            return fail(
                f"shape {_shape(batch)} has no batch dimension: the model reads [batch, sequence], "
                f"so one sentence is {expected}; torch.tensor([ids]) adds the outer list."
            )
        if _shape(batch) == [len(ids), 1] and len(ids) > 1:
            return fail(
                f"shape {_shape(batch)} is {len(ids)} sentences of one token each: the batch dimension "
                f"comes first, {expected} (torch.tensor([ids]), or .unsqueeze(0))."
            )
        if _shape(batch) != expected:
            return fail(f"shape {_shape(batch)}, expected {expected} for a sentence of {len(ids)} tokens.")
        if batch.dtype.is_floating_point:
            return fail(
                f"dtype {batch.dtype}: token ids are integers (torch.long), the embedding layer "
                "looks them up by index; build the tensor from a list of ints."
            )
        if batch[0].tolist() != list(ids):
            return fail("the tensor holds other ids than the ones given: keep them, in order.")
        if batch.dtype != torch.long:
            return fail(f"dtype {batch.dtype}: use torch.long, the type the tokenizer returns.")
    return success("one sentence becomes shape [1, n]: a batch of one, ready for the model.")


# (sequences, pad_token_id): unequal lengths, a pad id that is not 0, and a batch that needs no padding
PAD_CASES: tuple[tuple[list[list[int]], int], ...] = (
    ([[101, 7592, 2088, 102], [101, 7592, 102], [101, 102]], 0),
    ([[5, 6, 7], [8], [9, 10]], 99),
    ([[3, 4], [5, 6]], 0),
)


def _check_padded(input_ids: Any, attention_mask: Any, sequences: list[list[int]], pad: int) -> CheckResult:
    """Is (input_ids, attention_mask) the right-padded batch of `sequences` with its mask?"""
    for name, value in (("input_ids", input_ids), ("attention_mask", attention_mask)):
        problem = _not_a_tensor(name, value)
        if problem is not None:
            return problem
    longest = max(len(s) for s in sequences)
    expected = [len(sequences), longest]
    if input_ids.dim() != 2 or input_ids.shape[0] != len(sequences):
        return fail(f"input_ids has shape {_shape(input_ids)}, expected {expected}: one row per sequence.")
    if input_ids.shape[1] > longest:
        return fail(
            f"input_ids has shape {_shape(input_ids)}: the longest sequence has {longest} tokens, "
            f"so pad every row up to {longest}, no further."
        )
    if input_ids.shape[1] < longest:
        return fail(
            f"input_ids has shape {_shape(input_ids)}: a row lost tokens; pad every row up to the "
            f"longest ({longest} tokens), never cut."
        )
    if input_ids.dtype.is_floating_point:
        return fail(f"input_ids has dtype {input_ids.dtype}: token ids are integers (torch.long).")
    rows = input_ids.tolist()
    for i, (row, seq) in enumerate(zip(rows, sequences)):
        n = len(seq)
        if row[:n] != seq:
            if row[longest - n :] == seq:
                return fail(
                    f"row {i} is padded on the left: BERT's tokenizer pads on the right "
                    "(tokenizer.padding_side == 'right'); put the ids first, then the padding."
                )
            return fail(f"row {i} should start with its own ids {seq}, then padding; it is {row}.")
        wrong = [v for v in row[n:] if v != pad]
        if wrong:
            return fail(
                f"row {i} is padded with {wrong[0]}, not with pad_token_id ({pad}): use the "
                "pad_token_id you are given (tokenizer.pad_token_id), never a hard-coded number."
            )
    if _shape(attention_mask) != _shape(input_ids):
        return fail(
            f"attention_mask has shape {_shape(attention_mask)} but input_ids {_shape(input_ids)}: "
            "the mask needs one value per token."
        )
    mask = attention_mask.tolist()
    if any(v not in (0, 1) for row in mask for v in row):
        return fail(
            "the attention mask holds values other than 0 and 1: 1 = attend to this token, 0 = ignore."
        )
    for i, seq in enumerate(sequences):
        n = len(seq)
        if any(v != 0 for v in mask[i][n:]):
            return fail(
                f"row {i} attends to its padding: the mask has 1s where input_ids == pad_token_id; "
                "put 0s on the padding."
            )
        if any(v != 1 for v in mask[i][:n]):
            return fail(f"row {i} ignores some of its real tokens: the mask needs 1s on all {n} of them.")
    return success("")


@register(
    "sequences_pad_batch",
    hints=(
        "Section 2, Padding and The attention mask: rows are filled up on the right to the longest "
        "row, and the mask marks which positions are real.",
        "longest = max(len(s) for s in sequences); a new row per sequence, seq + [pad_token_id] * ..., "
        "and a mask row of 1s then 0s; torch.tensor(rows, dtype=torch.long).",
    ),
)
def check_pad_batch(pad_batch: Callable[[list[list[int]], int], Any]) -> CheckResult:
    """`pad_batch(sequences, pad_token_id)` returns (input_ids, attention_mask), padded on the right."""
    for sequences, pad in PAD_CASES:
        given = copy.deepcopy(sequences)
        result = pad_batch(given, pad)
        if given != sequences:
            return fail(
                "pad_batch changed the lists it was given (append/+= in place): build new rows, "
                "e.g. seq + [pad_token_id] * (longest - len(seq))."
            )
        if not isinstance(result, tuple) or len(result) != 2:
            return fail("pad_batch must return a pair: (input_ids, attention_mask).")
        verdict = _check_padded(*result, sequences, pad)
        if not verdict.passed:
            return fail(f"with pad_token_id={pad}: {verdict.message}")
    return success(
        "pad_batch pads every row to the longest with pad_token_id, and the mask hides the "
        "padding (1 = real token, 0 = padding)."
    )


def _single_outputs(model: Any, sequence: list[int]) -> tuple[Any, Any]:
    import torch

    with torch.no_grad():
        out = model(torch.tensor([sequence]), output_hidden_states=True)
    return out.logits[0], out.hidden_states[-1][0]


def _gaps(model: Any, sequences: list[list[int]], logits: Any, hidden: Any) -> list[tuple[float, float]]:
    """Per row: (max |logit gap|, max |hidden-state gap| over the real tokens) against the sentence alone."""
    gaps = []
    for i, seq in enumerate(sequences):
        single_logits, single_hidden = _single_outputs(model, seq)
        logit_gap = (logits[i] - single_logits).abs().max().item()
        hidden_gap = (hidden[i, : len(seq)] - single_hidden).abs().max().item()
        gaps.append((logit_gap, hidden_gap))
    return gaps


def _unmasked(model: Any, sequences: list[list[int]], pad: int) -> tuple[Any, Any]:
    import torch

    longest = max(len(s) for s in sequences)
    ids = torch.tensor([s + [pad] * (longest - len(s)) for s in sequences])
    with torch.no_grad():
        out = model(ids, output_hidden_states=True)
    return out.logits, out.hidden_states[-1]


def _changed(model: Any) -> Any:
    """A copy of `model` with other weights: every token id gets the embedding of the next one, so
    hidden states and logits differ from the model's (deterministic, no random numbers)."""
    import torch

    changed = copy.deepcopy(model)
    embeddings = changed.get_input_embeddings().weight
    with torch.no_grad():
        embeddings.copy_(embeddings.roll(1, dims=0))
    return changed.eval()


def _outputs(masked_forward: Callable[..., Any], model: Any, sequences: list[list[int]], pad: int) -> Any:
    """The learner's (logits, last hidden state) as float tensors, or the CheckResult that says why not."""
    result = masked_forward(model, [list(s) for s in sequences], pad)
    if not isinstance(result, tuple) or len(result) != 2:
        return fail("masked_forward must return a pair: (logits, hidden_states).")
    logits, hidden = result
    if isinstance(hidden, (tuple, list)):
        return fail(
            f"hidden_states is a {type(hidden).__name__} of {len(hidden)} tensors, one per layer "
            "(plus the embeddings): return the last one, outputs.hidden_states[-1]."
        )
    for name, value in (("logits", logits), ("hidden_states", hidden)):
        problem = _not_a_tensor(name, value)
        if problem is not None:
            return problem
    longest = max(len(s) for s in sequences)
    labels = model.config.num_labels
    if _shape(logits) != [len(sequences), labels]:
        return fail(
            f"logits has shape {_shape(logits)}, expected [{len(sequences)}, {labels}]: "
            "one row of label scores per sentence."
        )
    if hidden.dim() != 3 or _shape(hidden)[:2] != [len(sequences), longest]:
        return fail(
            f"hidden_states has shape {_shape(hidden)}, expected [{len(sequences)}, {longest}, "
            f"{model.config.hidden_size}]: [batch, sequence, hidden]."
        )
    return logits.detach().float(), hidden.detach().float()


@register(
    "sequences_masked_batch",
    hints=(
        "Section 2, The attention mask and Look at the hidden states too: the model must receive the "
        "mask, and the model to run is the one passed to your function.",
        "model(input_ids, attention_mask=attention_mask, output_hidden_states=True) under "
        "torch.no_grad(); return outputs.logits and outputs.hidden_states[-1].",
    ),
)
def check_masked_batch(
    masked_forward: Callable[..., Any], model: Any, sequences: Sequence[list[int]], pad_token_id: int
) -> CheckResult:
    """`masked_forward(model, sequences, pad_token_id)` -> (logits, last hidden state) of the padded,
    masked batch; each row must equal the sentence run alone, logits AND hidden states. Run on `model`,
    then on a copy of it with other weights (an answer that runs another model than the one it is
    given fails there)."""
    import torch

    sequences = [list(s) for s in sequences]
    if getattr(model, "training", False):
        return fail(
            "the model is in training mode (dropout is on, so no two runs agree): call "
            "_ = model.eval() first."
        )
    got = _outputs(masked_forward, model, sequences, pad_token_id)
    if isinstance(got, CheckResult):
        return got
    logits, hidden = got
    gaps = _gaps(model, sequences, logits, hidden)
    worst = max(range(len(gaps)), key=lambda i: max(gaps[i]))
    logit_gap, hidden_gap = gaps[worst]
    details = {"logit_gaps": [g[0] for g in gaps], "hidden_gaps": [g[1] for g in gaps]}
    if logit_gap > TOLERANCE or hidden_gap > TOLERANCE:
        plain_logits, plain_hidden = _unmasked(model, sequences, pad_token_id)
        same_as_unmasked = torch.allclose(logits, plain_logits, atol=TOLERANCE) and torch.allclose(
            hidden, plain_hidden, atol=TOLERANCE
        )
        gap = f"logits differ by {logit_gap:.2f} and hidden states by {hidden_gap:.2f}"
        if same_as_unmasked:
            return fail(
                f"row {worst} does not match the sentence alone ({gap}): these are the outputs of the "
                "padded batch WITHOUT its mask, so the model attended to the padding; pass "
                "attention_mask=attention_mask.",
                **details,
            )
        if logit_gap <= TOLERANCE:
            return fail(
                f"row {worst}: the logits agree but the hidden states differ by {hidden_gap:.2f}; "
                "return the last layer (outputs.hidden_states[-1]) of the same masked run.",
                **details,
            )
        return fail(
            f"row {worst} does not match the sentence run alone ({gap}): pad with pad_token_id, "
            "pass attention_mask, and return (outputs.logits, outputs.hidden_states[-1]).",
            **details,
        )
    changed = _changed(model)
    again = _outputs(masked_forward, changed, sequences, pad_token_id)
    if isinstance(again, CheckResult):
        return again
    changed_gaps = _gaps(changed, sequences, *again)
    if max(max(g) for g in changed_gaps) > TOLERANCE:
        same = torch.allclose(again[0], logits, atol=TOLERANCE) and torch.allclose(
            again[1], hidden, atol=TOLERANCE
        )
        why = (
            "it returned the outputs of the first model again: it runs a model of the notebook (a "
            "global), not the `model` argument"
            if same
            else "pass the `model` argument itself through the padded, masked batch"
        )
        return fail(
            f"with another model (the same one with other weights) masked_forward does not match that "
            f"model's sentences run alone: {why}.",
            **details,
        )
    return success(
        f"the masked batch reproduces each of the {len(sequences)} sentences run alone: "
        f"logits and hidden states agree within {TOLERANCE:g}, with the model given and with another one.",
        **details,
    )


# The texts and max_length the check adds to the notebook's (a long text with a short one, and a batch
# that needs no truncation); every case runs with the tokenizer given and with a WordPiece tokenizer of
# another vocabulary (course.checks.other_objects.other_wordpiece(TRUNCATE_WORDS): other special ids).
TRUNCATE_CASES: tuple[tuple[tuple[str, ...], int], ...] = (
    (("Yes.", "This one is far too long for a budget of eight tokens, so the tokenizer cuts it."), 8),
    (("Two short texts.", "Both fit in twelve."), 12),
)
TRUNCATE_WORDS = ("this", "one", "is", "far", "too", "long", "for", "a", "budget", "of", "tokens", "short")


def _encodings(tokenizer: Any, texts: list[str], max_length: int) -> list[Any]:
    """The right answers: padded to the longest row, or to max_length (both are accepted)."""
    return [
        tokenizer(texts, padding=padding, truncation=True, max_length=max_length, return_tensors="pt")
        for padding in ("longest", "max_length")
    ]


def _check_truncated(
    encode_truncated: Callable[..., Any], tokenizer: Any, texts: list[str], max_length: int, bert: Any
) -> CheckResult | None:
    import torch

    batch = encode_truncated(list(texts), tokenizer, max_length)
    if not hasattr(batch, "keys") or "input_ids" not in batch:
        return fail("return what the tokenizer returns: a BatchEncoding with input_ids and attention_mask.")
    if "attention_mask" not in batch:
        return fail("the batch has no attention_mask: the padded rows need it (the tokenizer adds it).")
    ids, mask = batch["input_ids"], batch["attention_mask"]
    if not isinstance(ids, torch.Tensor):
        return fail(f'input_ids is a {type(ids).__name__}: ask for PyTorch tensors, return_tensors="pt".')
    if ids.dim() != 2 or ids.shape[0] != len(texts):
        return fail(f"input_ids has shape {_shape(ids)}: one row per text, [{len(texts)}, <= {max_length}].")
    shown = [text if len(text) <= 40 else text[:37] + "..." for text in texts]
    where = f" with texts={shown}, max_length={max_length}"
    if tokenizer is not bert:
        where += f" and a tokenizer of another vocabulary ([CLS] = {tokenizer.cls_token_id})"
        if any(
            torch.equal(ids, b["input_ids"])
            for b in _encodings(bert, texts, max_length)
            if b["input_ids"].shape == ids.shape
        ):
            return fail(
                f"encode_truncated returned bert-base-uncased's ids{where}: it ignores the "
                "tokenizer it is given; use the `tokenizer` argument, not the notebook's global one."
            )
    if ids.shape[1] > max_length:
        return fail(
            f"rows are {ids.shape[1]} tokens long, more than max_length={max_length}{where}: pass "
            f"truncation=True and max_length={max_length}."
        )
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    for i in range(ids.shape[0]):
        real = ids[i][mask[i].bool()].tolist()
        if real and real[0] != cls:
            return fail(
                f"row {i} does not start with [CLS] ({cls}){where}: keep the special tokens the tokenizer "
                "adds (add_special_tokens is True by default)."
            )
        if real and real[-1] != sep:
            return fail(
                f"row {i} does not end with [SEP] ({sep}){where}: it was cut by slicing; let the tokenizer "
                f"truncate (truncation=True, max_length={max_length}) so [CLS] ... [SEP] survive."
            )
    for expected in _encodings(tokenizer, texts, max_length):
        if _shape(expected["input_ids"]) == _shape(ids) and torch.equal(expected["input_ids"], ids):
            if not torch.equal(expected["attention_mask"], mask.to(expected["attention_mask"].dtype)):
                return fail(
                    "the ids are right but the attention mask is not the tokenizer's: "
                    "1 on real tokens, 0 on padding."
                )
            return None
    return fail(
        f"the ids differ from tokenizer(texts, padding=True, truncation=True, max_length={max_length})"
        f"{where}: did you change the texts or add tokens by hand?"
    )


@register(
    "sequences_truncate",
    hints=(
        "Section 3, Longer sequences: truncation by the tokenizer keeps [CLS] ... [SEP], slicing "
        "input_ids[:, :n] does not; and use the tokenizer passed to your function.",
        "One call: tokenizer(texts, padding=..., truncation=..., max_length=..., return_tensors=...).",
    ),
)
def check_truncate(
    encode_truncated: Callable[..., Any], tokenizer: Any, texts: Sequence[str], max_length: int = 16
) -> CheckResult:
    """`encode_truncated(texts, tokenizer, max_length)` -> a padded, truncated batch of PyTorch tensors
    whose rows keep [CLS] ... [SEP]: on `texts`, then on TRUNCATE_CASES, each with `tokenizer` and with
    a WordPiece tokenizer of another vocabulary."""
    cases = [(list(texts), max_length)] + [(list(t), n) for t, n in TRUNCATE_CASES]
    other = other_wordpiece(TRUNCATE_WORDS)
    for current in (tokenizer, other):
        for batch_texts, n in cases:
            problem = _check_truncated(encode_truncated, current, batch_texts, n, tokenizer)
            if problem is not None:
                return problem
    return success(
        f"every row fits in {max_length} tokens and keeps [CLS] ... [SEP], also on other texts and with "
        f"a tokenizer of another vocabulary ([SEP] = {other.sep_token_id}); the mask hides the padding."
    )
