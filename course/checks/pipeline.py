"""Checks for chapter 2, "Behind the pipeline": the tokenizer's batch, softmax, and the pipeline's output.

Each check takes the learner's function, calls it on the notebook's inputs and on inputs of its own,
chosen so that each mistake a message names shows (short and long sentences, another max_length, a
tokenizer whose ids are not BERT's, other shapes of logits, three labels), and says what to fix.
torch is imported inside the checks, so that `import course` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from course.checks.base import CheckResult, fail, not_a_function, prefixed, register, success
from course.checks.other_objects import reversed_ids_tokenizer

SHORT_SENTENCES = ("Great!", "Hello there.")


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


# pipeline_batch ---------------------------------------------------------------------------------


def _batch_form_problem(batch: Any, sentences: list[str]) -> CheckResult | None:
    """A BatchEncoding with a mask, its input_ids a 2-D tensor with one row per sentence."""
    import torch

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
            f"{ids.shape[0]} rows for {len(sentences)} sentences: tokenize the sentences passed in, "
            "the whole list in one call"
        )
    return None


def _batch_width_problem(
    ids: Any, want: Any, tokenizer: Any, sentences: list[str], max_length: int
) -> CheckResult:
    """Why the batch is not as wide as padding=True with truncation at max_length makes it."""
    import torch

    width = ids.shape[1]
    full = tokenizer(list(sentences), padding=True, return_tensors="pt")["input_ids"]
    if width > max_length and full.shape == ids.shape and torch.equal(ids, full):
        return fail(
            f"rows have {width} tokens, more than max_length={max_length}: "
            f"pass truncation=True together with max_length={max_length}"
        )
    cut = tokenizer(list(sentences), max_length=width, **BATCH_OPTIONS)["input_ids"]
    if cut.shape == ids.shape and torch.equal(ids, cut):
        return fail(
            f"rows are truncated to {width} tokens, but max_length is {max_length}: pass the "
            "function's max_length argument to the tokenizer, not a fixed number"
        )
    if width > want.shape[1]:
        return fail(
            f"rows are padded to {width} tokens but the longest sentence needs only {want.shape[1]}: "
            "padding=True pads to the longest sentence in the batch (padding='max_length' pads further)"
        )
    return fail(f"input_ids has shape {list(ids.shape)}; padding=True and truncation give {list(want.shape)}")


def _batch_ids_problem(
    ids: Any, want: Any, tokenizer: Any, sentences: list[str], max_length: int, bert: Any
) -> CheckResult:
    """Why the ids differ: the notebook's tokenizer used, special tokens dropped, or other tokens."""
    import torch

    if bert is not tokenizer:
        theirs = bert(list(sentences), max_length=max_length, **BATCH_OPTIONS)["input_ids"]
        if theirs.shape == ids.shape and torch.equal(ids, theirs):
            return fail(
                "these are the ids of the notebook's `tokenizer`, not of the tokenizer passed in: "
                "call the function's `tokenizer` argument"
            )
    cls = tokenizer.cls_token_id
    if cls is not None and bool((want[:, 0] == cls).all()) and not bool((ids[:, 0] == cls).all()):
        return fail(
            f"the rows do not start with {tokenizer.cls_token} (id {cls} in this tokenizer): keep the "
            "special tokens the tokenizer adds (add_special_tokens=True, the default)"
        )
    row = int((ids != want).any(dim=1).nonzero()[0])
    return fail(
        f"row {row}: the token ids differ from what this tokenizer gives; tokenize the sentences "
        "unchanged, in order, with the tokenizer passed in"
    )


BATCH_OPTIONS = dict(padding=True, truncation=True, return_tensors="pt")


def _judge_batch(batch: Any, tokenizer: Any, sentences: list[str], max_length: int, bert: Any) -> CheckResult:
    """Is `batch` tokenizer(sentences, padding=True, truncation=True, max_length=..., return_tensors="pt")?

    `bert` is the notebook's tokenizer: when `tokenizer` is another one, a batch of bert's ids says so.
    Named sub-checks, in order: the batch's form, its width, its ids, its mask.
    """
    import torch

    problem = _batch_form_problem(batch, sentences)
    if problem is not None:
        return problem
    ids = batch["input_ids"]
    expected = tokenizer(list(sentences), max_length=max_length, **BATCH_OPTIONS)
    want = expected["input_ids"]
    if ids.shape != want.shape:
        return _batch_width_problem(ids, want, tokenizer, sentences, max_length)
    if not torch.equal(ids, want):
        return _batch_ids_problem(ids, want, tokenizer, sentences, max_length, bert)
    mask = torch.as_tensor(batch["attention_mask"])
    if mask.shape != want.shape or not torch.equal(mask.long(), expected["attention_mask"]):
        pad = tokenizer.pad_token_id
        return fail(
            f"the attention mask should be 1 on real tokens and 0 where input_ids == pad_token_id ({pad}); "
            "keep the mask the tokenizer returned"
        )
    return success("")


@register(
    "pipeline_batch",
    hints=(
        "Section 2, 'Stage 1: the tokenizer': the three arguments that turn sentences into a rectangle of "
        "PyTorch tensors, and what padding=True pads to.",
        "Call the tokenizer you are given: tokenizer(sentences, padding=..., truncation=..., "
        "max_length=..., return_tensors=...).",
    ),
)
def check_batch(
    make_batch: Callable[..., Any], tokenizer: Any, sentences: Sequence[str], max_length: int = 12
) -> CheckResult:
    """`make_batch(sentences, tokenizer, max_length)` is the padded, truncated PyTorch batch of `sentences`.

    Tried on the notebook's sentences, on short sentences only (padding='max_length' shows), with
    another max_length (a fixed number shows) and with a tokenizer whose ids are not BERT's.
    """
    problem = not_a_function("make_batch", make_batch, "(sentences, tokenizer, max_length)")
    if problem is not None:
        return problem
    sentences = list(sentences)
    other_length = max_length - 4 if max_length > 8 else max_length + 4
    cases = (
        ("the exercise's sentences", sentences, tokenizer, max_length),
        (f"two short sentences {list(SHORT_SENTENCES)}", list(SHORT_SENTENCES), tokenizer, max_length),
        ("the exercise's sentences", sentences, tokenizer, other_length),
        ("a tokenizer whose ids are not BERT's", sentences, reversed_ids_tokenizer(tokenizer), max_length),
    )
    for description, texts, tok, length in cases:
        batch = make_batch(list(texts), tok, length)
        verdict = _judge_batch(batch, tok, texts, length, tokenizer)
        if not verdict.passed:
            return prefixed(f"with {description} and max_length={length}", verdict)
    return success(
        f"padded to the longest sentence, truncated to max_length ({max_length}: a [{len(sentences)}, "
        f"{max_length}] batch here), with its attention mask, for any tokenizer"
    )


# pipeline_probabilities -------------------------------------------------------------------------


def _judge_probabilities(probabilities: Any, logits: Any) -> CheckResult:
    """Is `probabilities` softmax(logits, dim=-1)?"""
    import torch

    if probabilities is None:
        return fail("the function returned None: return the tensor of probabilities")
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
        return success("")
    if close(probs, reference):
        return fail(
            "these are the raw logits, unchanged: they are not probabilities yet (rows do not sum to 1)"
        )
    if close(probs, torch.softmax(reference, dim=0)):
        return fail(
            "each column sums to 1: you normalised over the batch (dim=0); use dim=-1 so that each "
            "sentence's probabilities over the labels sum to 1"
        )
    if close(probs, torch.sigmoid(reference)):
        return fail(
            "sigmoid scores every label on its own, so the rows do not sum to 1: the labels of one "
            "sentence compete with each other"
        )
    sums = probs.sum(dim=-1)
    if not torch.allclose(sums, torch.ones_like(sums), atol=1e-4):
        return fail(f"rows sum to {[round(float(s), 3) for s in sums]}, not 1: apply softmax over dim=-1")
    gap = float((probs - torch.softmax(reference, dim=-1)).abs().max())
    return fail(f"rows sum to 1 but differ from softmax(logits) by up to {gap:.3g}: start from these logits")


# logits of other shapes: 4 sentences x 3 labels (dim=0 and transposes show), one sentence x 5 labels
OTHER_LOGITS = (
    [[2.0, -1.0, 0.5], [0.1, 0.2, 0.3], [-3.0, 0.0, 3.0], [1.0, 1.0, -2.0]],
    [[0.5, 1.5, -0.5, 2.5, 0.0]],
)


@register(
    "pipeline_probabilities",
    hints=(
        "Section 4, 'Stage 3: post-processing': softmax turns each row of logits into probabilities, "
        "along one dimension only.",
        "torch.softmax(..., dim=...) (or torch.nn.functional.softmax): which dimension holds the labels?",
    ),
)
def check_probabilities(to_probabilities: Callable[[Any], Any], logits: Any) -> CheckResult:
    """`to_probabilities(logits)` is `softmax(logits, dim=-1)`, for the notebook's logits and others."""
    import torch

    problem = not_a_function("to_probabilities", to_probabilities, "(logits)")
    if problem is not None:
        return problem
    logits = _to_tensor(getattr(logits, "logits", logits))
    cases = [("the notebook's logits", logits)]
    cases += [(f"logits of shape {list(torch.tensor(x).shape)}", torch.tensor(x)) for x in OTHER_LOGITS]
    for description, case in cases:
        given = case.clone()
        probabilities = to_probabilities(given)
        if not torch.equal(given, case):
            return fail(
                f"with {description}: to_probabilities changed the logits it was given (an in-place "
                "operation such as -= or exp_()): compute a new tensor"
            )
        verdict = _judge_probabilities(probabilities, case)
        if not verdict.passed:
            first = torch.softmax(logits, dim=-1)
            mine = _to_tensor(getattr(probabilities, "logits", probabilities))
            if (
                case is not logits
                and mine is not None
                and mine.shape == first.shape
                and torch.allclose(mine, first)
            ):
                return fail(
                    f"with {description}: the notebook's probabilities came back: compute them from the "
                    "function's argument, not from the notebook's logits"
                )
            return prefixed(f"with {description}", verdict)
    return success("each sentence's row sums to 1: softmax over the labels (dim=-1), for any logits")


# pipeline_predictions ---------------------------------------------------------------------------


def _judge_predictions(predictions: Any, logits: Any, names: dict[int, str]) -> CheckResult:
    """Is `predictions` the pipeline's output for `logits`: [{"label": name, "score": probability}]?"""
    import torch

    probs = torch.softmax(logits, dim=-1)
    if predictions is None:
        return fail("the function returned None: return one {'label': ..., 'score': ...} dict per sentence")
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
        if isinstance(label, (torch.Tensor, int)):
            return fail(
                f"sentence {i}: label {int(label)} is an index; turn it into a name with "
                f"id2label[index] (here {names})"
            )
        if label not in names.values():
            return fail(
                f"sentence {i}: label {label!r} is not one of the model's labels {sorted(names.values())}: "
                "take the names from the id2label you are given"
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
                f"sentence {i}: the score {score:.3f} is the probability of another label; "
                "report the probability of the predicted one (the largest)"
            )
        return fail(
            f"sentence {i}: score {score:.3f}, but softmax of the logits gives {float(probs[i, best]):.3f}"
        )
    return success("")


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (RuntimeError, TypeError, ValueError):  # tensors inside: no single truth value
        return False


# three sentences of a three-label model: every label wins once, none with the pipeline's names
THREE_LABELS = {0: "negative", 1: "neutral", 2: "positive"}
THREE_LOGITS = ([0.2, 2.1, -1.0], [1.7, -0.4, 0.3], [-1.2, 0.0, 2.6])


@register(
    "pipeline_predictions",
    hints=(
        "Section 4 and the cell that prints config.id2label: softmax, then the index of the largest "
        "probability, then that index's name.",
        "torch.softmax(..., dim=...), row.argmax(), id2label[int(...)], and .item() for a Python float.",
    ),
)
def check_predictions(to_predictions: Callable[..., Any], logits: Any, id2label: dict) -> CheckResult:
    """`to_predictions(logits, id2label)` is the pipeline's output: [{"label": name, "score": p}, ...].

    Tried on the notebook's logits and on a three-label model's, so that the pipeline's own `results`
    (or its label names) cannot stand in for the work.
    """
    import torch

    problem = not_a_function("to_predictions", to_predictions, "(logits, id2label)")
    if problem is not None:
        return problem
    logits = _to_tensor(getattr(logits, "logits", logits))
    cases = (
        ("the notebook's logits", logits, _label_names(id2label)),
        (f"three labels {THREE_LABELS}", torch.tensor(THREE_LOGITS), dict(THREE_LABELS)),
    )
    first = None
    for description, case, names in cases:
        try:
            predictions = to_predictions(case.clone(), dict(names))
        except KeyError as error:
            if first is None:
                return fail(
                    f"with {description}: KeyError {error}: the keys of id2label are Python ints, "
                    "so look the name up with id2label[int(index)]"
                )
            return fail(
                f"with {description}: KeyError {error}: look the names up in the id2label you are given "
                f"(here {names}), not in the notebook model's"
            )
        if first is not None and _same(predictions, first):
            return fail(
                f"with {description}: the same predictions came back as for the notebook's logits: build "
                "them from the function's arguments (not from `results`, the pipeline's output)"
            )
        verdict = _judge_predictions(predictions, case, names)
        if not verdict.passed:
            return prefixed(f"with {description}", verdict)
        first = predictions if first is None else first
    return success("same labels and scores as the pipeline: softmax, then argmax, then id2label")


# pipeline_try_by_hand ---------------------------------------------------------------------------
# "Try it out!" of the course's section 2/2: the learner's own texts through pipeline("sentiment-analysis"),
# then the same steps by hand. The pipeline is the API of the task: nothing is switched off. A pipeline
# called inside the by-hand function shows on a model whose configuration says multi-label (a pipeline
# then scores each label with a sigmoid, the section's steps with a softmax over the labels).

COURSE_TEXTS = ("I've been waiting for a HuggingFace course my whole life.", "I hate this so much!")
# the check's own texts: lengths differ (padding shows), one word in pieces
BY_HAND_TEXTS = (
    ("Fine.", "A wonderfully surprising film, even on the third viewing.", "Not for me."),
    ("The soundtrack was unbearable and far too loud.", "Lovely!"),
)


def _reference_predictions(
    texts: Sequence[str], tokenizer: Any, model: Any
) -> tuple[list[tuple[str, float]], Any]:
    """(label, score) per text by the section's steps, and the probabilities."""
    import torch

    batch = tokenizer(list(texts), padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        probabilities = torch.softmax(model(**batch).logits.float(), dim=-1)
    names = _label_names(model.config.id2label)
    return [(names[int(row.argmax())], float(row.max())) for row in probabilities], probabilities


def _no_mask_predictions(texts: Sequence[str], tokenizer: Any, model: Any) -> list[tuple[str, float]]:
    """(label, score) per text when the model gets the padded ids without the attention mask."""
    import torch

    batch = tokenizer(list(texts), padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        probabilities = torch.softmax(model(input_ids=batch["input_ids"]).logits.float(), dim=-1)
    names = _label_names(model.config.id2label)
    return [(names[int(row.argmax())], float(row.max())) for row in probabilities]


def _agree(got: list[dict], want: list[tuple[str, float]]) -> bool:
    return all(
        g["label"] == label and abs(g["score"] - score) <= 1e-4 for g, (label, score) in zip(got, want)
    )


def _judge_by_hand(got: Any, texts: Sequence[str], tokenizer: Any, model: Any, where: str) -> CheckResult:
    """Is `got` what the section's steps give for `texts` with this tokenizer and model?"""
    import torch

    want, probabilities = _reference_predictions(texts, tokenizer, model)
    names = _label_names(model.config.id2label)
    if not isinstance(got, (list, tuple)) or len(got) != len(texts):
        size = f" of {len(got)}" if isinstance(got, (list, tuple)) else ""
        return fail(
            f"{where}: expected a list of {len(texts)} dicts like the pipeline's, "
            f"got {type(got).__name__}{size}"
        )
    for number, item in enumerate(got, start=1):
        if not isinstance(item, dict) or not {"label", "score"} <= set(item):
            return fail(f"{where}, text {number}: {item!r} is not a dict with the keys 'label' and 'score'")
        mine, value = item["label"], item["score"]
        if not isinstance(mine, str):
            return fail(
                f"{where}, text {number}: the label {mine!r} is a {type(mine).__name__}, not a label name"
            )
        if mine not in names.values():
            return fail(
                f"{where}, text {number}: {mine!r} is not a label of the model given (its labels: "
                f"{sorted(names.values())})"
            )
        if type(value) is not float:
            return fail(
                f"{where}, text {number}: the score is a {type(value).__name__}; "
                "the pipeline gives a Python float"
            )
    if _agree(got, want):
        return success("")
    if _agree(got, _no_mask_predictions(texts, tokenizer, model)):
        return fail(
            f"{where}: the padded texts get what the model gives when it cannot tell the padding from "
            "the text"
        )
    for number, (item, (label, score)) in enumerate(zip(got, want), start=1):
        mine, value = item["label"], item["score"]
        if mine != label:
            return fail(f"{where}, text {number}: label {mine!r}, but the most probable label is {label!r}")
        if abs(value - score) <= 1e-4:
            continue
        if getattr(model.config, "problem_type", None) == "multi_label_classification":
            return fail(
                f"{where}, text {number}: score {value:.3f}, but the probability of {label!r} among the "
                f"labels is {score:.3f}; a pipeline scores such a model's labels one by one"
            )
        if torch.isclose(torch.tensor(value), probabilities[number - 1].min(), atol=1e-4):
            return fail(
                f"{where}, text {number}: the score is the probability of another label than {label!r}"
            )
        return fail(
            f"{where}, text {number}: score {value:.3f}, but the probability of {label!r} is {score:.3f}"
        )
    return success("")


def _same_as_pipeline(results: Any, pipeline_results: list[dict]) -> bool:
    try:
        return len(results) == len(pipeline_results) and all(
            mine["label"] == theirs["label"] and abs(float(mine["score"]) - float(theirs["score"])) <= 1e-4
            for mine, theirs in zip(results, pipeline_results)
        )
    except (TypeError, KeyError, ValueError):
        return False


def _by_hand_models(model: Any) -> list[tuple[str, Any]]:
    """The check's other classifiers: three labels and a multi-label configuration; the model's own labels."""
    from course.checks.other_objects import changed_classifier

    three = changed_classifier(model, labels=("bad", "meh", "good"), seed=21)
    three.config.problem_type = "multi_label_classification"
    return [
        (
            f"a model with a new head and the labels {list(three.config.id2label.values())} "
            "(config.problem_type 'multi_label_classification')",
            three,
        ),
        ("the model with a new head (its own two labels)", changed_classifier(model, labels=None, seed=22)),
    ]


@register(
    "pipeline_try_by_hand",
    hints=(
        "Section 1 runs the pipeline; sections 2 to 4 take the same three steps one at a time, and "
        "section 5 puts them side by side.",
        "The tokenizer called on the list (the three options of section 2), the model called on its "
        "output, torch.softmax over the labels, then the model's config.id2label; .item() for a float.",
    ),
)
def check_pipeline_by_hand(
    texts: Any, results: Any, by_hand: Callable[..., Any], tokenizer: Any, model: Any, classifier: Any
) -> CheckResult:
    """The learner's own `texts` went through the pipeline (`results`), and `by_hand(texts, tokenizer,
    model)` gives the same labels and scores as that earlier output; then the same steps on the check's
    texts with other classifiers (three labels and a multi-label configuration; a new head) and a
    tokenizer with other ids."""
    problem = not_a_function("by_hand", by_hand, "(texts, tokenizer, model)")
    if problem is not None:
        return problem
    if (
        not isinstance(texts, (list, tuple))
        or len(texts) < 2
        or not all(isinstance(t, str) and t.strip() for t in texts)
    ):
        return fail("my_texts: a list of two or more texts (non-empty strings) of your own")
    if all(text in COURSE_TEXTS for text in texts):
        return fail("my_texts holds only the course's sentences: choose texts of your own")
    if not _same_as_pipeline(results, classifier(list(texts))):
        return fail("my_results is not what pipeline('sentiment-analysis') returns for my_texts")
    verdict = _judge_by_hand(by_hand(list(texts), tokenizer, model), texts, tokenizer, model, "with my_texts")
    if not verdict.passed:
        verdict.message += " (my_results, from the pipeline, says otherwise)"
        return verdict
    others = [
        (f"with the check's texts and {what}", tokenizer, other) for what, other in _by_hand_models(model)
    ]
    others.append(
        (
            "with the check's texts and a tokenizer whose ids are not BERT's",
            reversed_ids_tokenizer(tokenizer),
            model,
        )
    )
    for (where, tok, classifier_model), case in zip(others, (*BY_HAND_TEXTS, BY_HAND_TEXTS[0])):
        verdict = _judge_by_hand(
            by_hand(list(case), tok, classifier_model), case, tok, classifier_model, where
        )
        if not verdict.passed:
            return verdict
    return success(
        f"by hand, your {len(texts)} texts get the pipeline's labels and scores; the same steps work with "
        "other models and tokenizers"
    )
