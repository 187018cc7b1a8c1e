"""Checks for chapter 2, "Handling multiple sequences": batches, padding, attention masks, truncation.

Each check takes the learner's function (so that an unanswered exercise only makes the check say
"not yet") and returns a `CheckResult` whose message says what to fix.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
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
        "Python lists first: max() and len() give the target length, list repetition ([x] * n) fills a "
        "row; then torch.tensor(..., dtype=...) for each of the two results.",
    ),
)
def check_pad_batch(pad_batch: Callable[[list[list[int]], int], Any]) -> CheckResult:
    """`pad_batch(sequences, pad_token_id)` returns (input_ids, attention_mask), padded on the right."""
    for sequences, pad in PAD_CASES:
        given = copy.deepcopy(sequences)
        result = pad_batch(given, pad)
        if given != sequences:
            return fail(
                "pad_batch changed the lists it was given (append/+= in place): build new rows "
                "and leave the given lists as they are."
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
            "(plus the embeddings): return only the last layer's."
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
        "The model's forward call takes the mask as a keyword argument, and a flag that makes it return "
        "every layer's hidden states (the ModelOutput's hidden_states field, a tuple); torch.no_grad().",
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
                "the hidden states returned are not the last layer's of the same masked run.",
                **details,
            )
        return fail(
            f"row {worst} does not match the sentence run alone ({gap}): check the padding id, "
            "the attention mask the model receives, and which outputs you return.",
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
        f"the ids differ from what one padded, truncated call of this tokenizer gives at "
        f"max_length={max_length}{where}: did you change the texts or add tokens by hand?"
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


# The two "Try it out!" tasks of the course's section 2/5 ------------------------------------------
# Both run the model the learner is given; what it sees is recorded by a forward pre-hook (one call, the
# shape of the batch, the mask it got), so that sentences run one by one and stacked afterwards show.
# Nothing of the task's API (tokenize, convert_tokens_to_ids, pad_token_id, the model's forward) is
# switched off; the tokenizer's one-call encoding, which would pad for the learner, is watched.


@contextmanager
def forward_calls(model: Any) -> Iterator[list[dict[str, Any]]]:
    """The calls of `model`'s forward while inside: per call, the input ids and the attention mask
    (None when none was given), as the model received them."""
    calls: list[dict[str, Any]] = []

    def record(module: Any, args: tuple, kwargs: dict) -> None:
        ids = args[0] if args else kwargs.get("input_ids")
        mask = args[1] if len(args) > 1 else kwargs.get("attention_mask")
        calls.append({"input_ids": ids, "attention_mask": mask})

    handle = model.register_forward_pre_hook(record, with_kwargs=True)
    try:
        yield calls
    finally:
        handle.remove()


def _alone(model: Any, ids: list[int]) -> Any:
    """The logits of one sequence of ids run alone, as a batch of one."""
    import torch

    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0].float()


def _a_tensor(value: Any, what: str, where: str) -> CheckResult | None:
    import torch

    if isinstance(value, torch.Tensor):
        return None
    return fail(f"{where}: {what} is a {type(value).__name__}, not a torch tensor")


TWICE_IDS = ([7592, 2088, 999], [2023, 2607, 2003, 2146, 2021, 4276, 2009, 1012, 1045, 2293, 2009])


@register(
    "sequences_try_twice",
    hints=(
        "Section 1, Models expect a batch: the cell that makes the model run turned one list of ids into "
        "a batch of one; here the batch holds the same list twice.",
        "A Python list of two lists, torch.tensor on it, the model you are given called on that tensor, "
        "and the logits field of its output.",
    ),
)
def check_batched_ids(
    logits_twice: Callable[[list[int], Any], Any], ids: list[int], model: Any, earlier_logits: Any
) -> CheckResult:
    """`logits_twice(ids, model)` runs the batch [ids, ids] through `model` once and returns its logits:
    each row equals the logits the notebook computed before for ids alone (`earlier_logits`); then other
    ids and a model with another head and three labels."""
    import torch

    from course.checks.base import not_a_function
    from course.checks.other_objects import changed_classifier

    problem = not_a_function("logits_twice", logits_twice, "(ids, model)")
    if problem is not None:
        return problem
    earlier = torch.as_tensor(earlier_logits).detach().float().reshape(-1)
    three = changed_classifier(model, labels=("low", "mid", "high"), seed=31)
    cases = [
        ("with the notebook's ids and model", list(ids), model, earlier),
        (f"with the ids {TWICE_IDS[0]} and the notebook's model", list(TWICE_IDS[0]), model, None),
        (
            f"with {len(TWICE_IDS[1])} other ids and a model with a new head of 3 labels",
            list(TWICE_IDS[1]),
            three,
            None,
        ),
    ]
    for where, case, current, want in cases:
        want = _alone(current, case) if want is None else want
        given = list(case)
        with forward_calls(current) as calls:
            got = logits_twice(given, current)
        if given != case:
            return fail(f"{where}: logits_twice changed the list of ids it was given")
        problem = _a_tensor(got, "the result", where)
        if problem is None:
            problem = _twice_problem(got, want, calls, len(case), where)
        if problem is not None:
            if want is earlier:
                problem.message += " (compared with the logits computed before for ids alone)"
            return problem
    return success(
        "the batch [ids, ids] gives the logits of ids alone, twice: one row per sequence of the batch"
    )


def _twice_problem(
    got: Any, want: Any, calls: list[dict[str, Any]], length: int, where: str
) -> CheckResult | None:
    """None when `got` is two rows of `want`, from one forward call on a [2, length] batch."""
    import torch

    shapes = [tuple(getattr(call["input_ids"], "shape", ())) for call in calls]
    if len(calls) != 1:
        return fail(f"{where}: the model was called {len(calls)} times; one batch holds both rows")
    if shapes[0] != (2, length):
        return fail(
            f"{where}: the model received ids of shape {list(shapes[0])}, not a batch of 2 rows of {length}"
        )
    got = got.detach().float()
    if tuple(got.shape) != (2, want.shape[-1]):
        return fail(
            f"{where}: shape {list(got.shape)}; expected [2, {want.shape[-1]}], "
            "one row of logits per sequence"
        )
    for number, row in enumerate(got, start=1):
        if torch.allclose(row, torch.softmax(want, dim=-1), atol=1e-4):
            return fail(f"{where}: row {number} holds probabilities; expected the logits")
        if not torch.allclose(row, want, atol=1e-4):
            gap = float((row - want).abs().max())
            return fail(f"{where}: row {number} differs from the logits of the ids alone by up to {gap:.3g}")
    return None


PADDED_WORDS = ("the", "ending", "was", "far", "too", "long", "great", "fun", "not", "[PAD]")
# the check's own texts: lengths differ; one holds a [PAD] token as content, which the model attends to
# when the sentence runs alone
PADDED_TEXTS = ("Great fun!", "The ending was far, far too long.", "Not [PAD] bad")


def _by_hand_ids(tokenizer: Any, texts: Sequence[str]) -> list[list[int]]:
    return [tokenizer.convert_tokens_to_ids(tokenizer.tokenize(text)) for text in texts]


def _padded_problem(
    result: Any, texts: Sequence[str], tokenizer: Any, model: Any, calls: list, where: str
) -> CheckResult | None:
    """None when `result` is (input_ids, attention_mask, logits) of the texts' padded, masked batch."""
    import torch

    if not isinstance(result, tuple) or len(result) != 3:
        return fail(
            f"{where}: expected the triple (input_ids, attention_mask, logits), got {type(result).__name__}"
        )
    rows = _by_hand_ids(tokenizer, texts)
    longest, pad = max(len(r) for r in rows), tokenizer.pad_token_id
    want_ids = torch.tensor([r + [pad] * (longest - len(r)) for r in rows])
    want_mask = torch.tensor([[1] * len(r) + [0] * (longest - len(r)) for r in rows])
    ids, mask, logits = result
    for what, value in (("input_ids", ids), ("attention_mask", mask), ("logits", logits)):
        problem = _a_tensor(value, what, where)
        if problem is not None:
            return problem
    if tuple(ids.shape) != tuple(want_ids.shape):
        return fail(
            f"{where}: input_ids has shape {list(ids.shape)}; "
            f"the texts give {len(rows)} rows of {longest} ids"
        )
    if not torch.equal(ids.long(), want_ids):
        number = int((ids.long() != want_ids).any(dim=1).nonzero()[0]) + 1
        if torch.equal(ids[:, : want_ids.shape[1]].long()[want_mask == 1], want_ids[want_mask == 1]):
            return fail(
                f"{where} ({tokenizer.pad_token} is id {pad} here): row {number} is filled up with "
                f"{ids[number - 1, -1].item()}, which is not this tokenizer's padding id"
            )
        return fail(
            f"{where}: row {number} of input_ids differs from the text's tokens turned into ids, "
            "padded on the right"
        )
    if tuple(mask.shape) != tuple(want_mask.shape) or not torch.equal(mask.long(), want_mask):
        number = (
            int((mask.long() != want_mask).any(dim=1).nonzero()[0]) + 1
            if mask.shape == want_mask.shape
            else 1
        )
        return fail(
            f"{where}: row {number} of the attention mask is {mask[number - 1].tolist()}; it should mark the "
            f"{len(rows[number - 1])} positions of the text's own tokens"
        )
    if len(calls) != 1:
        return fail(f"{where}: the model was called {len(calls)} times; the task runs one padded batch")
    given = calls[0]["attention_mask"]
    if given is None or not torch.equal(torch.as_tensor(given).long(), want_mask):
        return fail(f"{where}: the model did not receive the attention mask with the padded batch")
    for number, row in enumerate(rows, start=1):
        alone = _alone(model, row)
        gap = float((torch.as_tensor(logits)[number - 1].detach().float() - alone).abs().max())
        if gap > TOLERANCE:
            return fail(f"{where}: row {number}'s logits differ from the text run alone by {gap:.3g}")
    return None


@register(
    "sequences_try_padded",
    hints=(
        "Section 2 from Padding to The attention mask: the tokens of each text turned into ids (as in "
        "section 1), rows filled up to the longest, and a mask of the same shape.",
        "tokenizer.tokenize and tokenizer.convert_tokens_to_ids per text, tokenizer.pad_token_id for the "
        "filling, torch.tensor for both, and the model called with the attention_mask keyword.",
    ),
)
def check_padded_by_hand(
    padded_by_hand: Callable[[list[str], Any, Any], Any],
    sentences: list[str],
    tokenizer: Any,
    model: Any,
    earlier_logits: Any,
) -> CheckResult:
    """`padded_by_hand(sentences, tokenizer, model)` returns (input_ids, attention_mask, logits) of one
    padded, masked batch of the texts tokenized by hand; each row's logits equal the sentence run alone,
    computed before by the notebook (`earlier_logits`). Then other texts (one with [PAD] as content)
    with a WordPiece tokenizer whose [PAD] is not 0 and a model with a new head, and BERT's tokens under
    other ids."""
    import torch

    from course.checks.base import not_a_function
    from course.checks.other_objects import changed_classifier, reversed_ids_tokenizer
    from course.checks.tokenizers import one_call_encoding

    problem = not_a_function("padded_by_hand", padded_by_hand, "(sentences, tokenizer, model)")
    if problem is not None:
        return problem
    earlier = torch.as_tensor(earlier_logits).detach().float()
    alone = torch.stack([_alone(model, row) for row in _by_hand_ids(tokenizer, sentences)])
    if earlier.shape != alone.shape or not torch.allclose(earlier, alone, atol=TOLERANCE):
        return fail(
            "alone_logits is not what the notebook computed for each sentence alone: run its cell again"
        )
    other = other_wordpiece(PADDED_WORDS)
    cases = [
        ("with the course's two sentences", list(sentences), tokenizer, model),
        (
            f"with the texts {list(PADDED_TEXTS)}, a WordPiece tokenizer of another vocabulary "
            "and a model with a new head of 3 labels",
            list(PADDED_TEXTS),
            other,
            changed_classifier(model, labels=("a", "b", "c"), seed=41),
        ),
        (
            f"with the texts {list(PADDED_TEXTS)} and BERT's tokens under other ids",
            list(PADDED_TEXTS),
            reversed_ids_tokenizer(tokenizer),
            model,
        ),
    ]
    for where, texts, tok, current in cases:
        with one_call_encoding() as used, forward_calls(current) as calls:
            result = padded_by_hand(list(texts), tok, current)
        if used:
            return fail(f"{where}: padded_by_hand calls {used[0]}, which pads for you; the task pads by hand")
        problem = _padded_problem(result, texts, tok, current, calls, where)
        if problem is not None:
            if current is model and tok is tokenizer:
                problem.message += " (compared with alone_logits, computed before)"
            return problem
    return success(
        "one padded batch with its mask gives each sentence its logits alone, with any tokenizer's padding id"
    )
