"""Checks for chapter 3, "A full training loop": the training step, the linear schedule, prediction.

The checks build a tiny BERT classifier from a config (no download, a few milliseconds) and compare
the learner's code with a reference computed here, step by step. While the learner's function runs, the
ready-made functions that would do its work are switched off (`own_work`): the course's references
(which the notebook falls back on) and, for the schedule, every torch learning-rate scheduler
(`get_scheduler` builds one). The hidden tests use `own_work` too. torch and transformers are imported
inside the functions so that `import course` stays fast.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from course.checks.base import CheckResult, fail, register, success
from course.checks.shortcuts import ShortcutUsed, own_work_of

VOCAB = 60
STEPS = 10  # training steps of the tiny schedules used by the checks


# ---------------------------------------------------------------- tiny model, batch, reference


def tiny_classifier(seed: int = 0, dropout: float = 0.0):
    """A 1-layer BERT classifier with hidden size 16 (random weights, seeded)."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig(
        vocab_size=VOCAB,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=32,
        num_labels=2,
        hidden_dropout_prob=dropout,
        attention_probs_dropout_prob=dropout,
    )
    torch.manual_seed(seed)
    return BertForSequenceClassification(config)


def tiny_batch(seed: int = 0, size: int = 4, length: int = 8) -> dict:
    """A fixed batch for the tiny classifier: input_ids, attention_mask (with padding), labels."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    input_ids = torch.randint(1, VOCAB, (size, length), generator=generator)
    attention_mask = torch.ones_like(input_ids)
    attention_mask[1::2, length - 2 :] = 0  # every other row ends in padding
    input_ids[attention_mask == 0] = 0
    labels = torch.arange(size) % 2
    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}


def make_optimizer_and_scheduler(model, lr: float = 1e-2, warmup: int = 0, total: int = STEPS):
    """torch.optim.AdamW and a linear schedule, as in the notebook."""
    import torch
    from transformers import get_scheduler

    params = model.parameters() if hasattr(model, "parameters") else model
    optimizer = torch.optim.AdamW(params, lr=lr)
    scheduler = get_scheduler(
        "linear", optimizer=optimizer, num_warmup_steps=warmup, num_training_steps=total
    )
    return optimizer, scheduler


def reference_train_step(model, batch, optimizer, scheduler) -> float:
    """The course's training step: forward, backward, optimizer step, scheduler step, zero the gradients."""
    outputs = model(**batch)
    loss = outputs.loss
    loss.backward()
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad()
    return loss.item()


def _loss_on(model, batch) -> float:
    import torch

    with torch.no_grad():
        return model(**batch).loss.item()


def _same_parameters(a, b, atol: float = 1e-6) -> bool:
    import torch

    return all(torch.allclose(p, q, atol=atol, rtol=1e-4) for p, q in zip(a.parameters(), b.parameters()))


def _as_loss(value: Any) -> tuple[float | None, str]:
    """The returned loss as a float, or None and the reason it is not usable."""
    import torch

    if value is None:
        return None, (
            "train_step returned None: return the batch's loss as a number "
            "(`return loss.item()`), so that the loop can record the loss curve."
        )
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            return None, f"train_step returned a tensor of shape {list(value.shape)}: return the scalar loss."
        if value.requires_grad:
            return None, (
                "train_step returned the loss tensor itself: return `loss.item()` (a Python "
                "float). Keeping the tensor keeps its whole computation graph alive, and a loop "
                "that stores one per step runs out of memory."
            )
        return float(value), ""
    try:
        return float(value), ""
    except (TypeError, ValueError):
        return None, f"train_step returned {type(value).__name__}: return the loss as a float (loss.item())."


# ---------------------------------------------------------------- shortcuts switched off


def _scheduler_shortcuts() -> tuple[list[Callable], str]:
    import transformers.optimization as optimization
    from torch.optim.lr_scheduler import LRScheduler

    return [
        LRScheduler.__init__,
        optimization.get_scheduler,
        optimization.get_linear_schedule_with_warmup,
        optimization._get_linear_schedule_with_warmup_lr_lambda,
        reference_lrs,
    ], (
        "linear_lr builds a learning-rate scheduler (get_scheduler, LambdaLR, or the course's "
        "reference_lrs; switched off while your function is checked) and reads the rate from it: "
        "compute the rate with the formula instead, that is the exercise."
    )


# The checks and the hidden tests run the learner's function inside `own_work(exercise)`.
own_work = own_work_of(
    "notebook 08",
    {
        "train_step": lambda: (
            [reference_train_step],
            "train_step calls the course's reference_train_step (switched off while your function is "
            "checked): write the five lines of the step yourself.",
        ),
        "linear_lr": _scheduler_shortcuts,
        "predict": lambda: (
            [reference_predict],
            "predict calls the course's reference_predict (switched off while your function is checked): "
            "write the evaluation loop yourself.",
        ),
    },
)


# ---------------------------------------------------------------- the training step


@dataclass
class _StepRun:
    """One step of the learner's train_step beside the course's, on twin tiny classifiers."""

    model: Any
    reference: Any
    optimizer: Any
    scheduler: Any
    ref_optimizer: Any
    ref_scheduler: Any
    batch: Any
    loss_before: float
    lr_before: float
    step_calls: list
    returned: Any = None


def _first_step(train_step: Callable) -> _StepRun:
    """Run the learner's step and the course's on twins, counting the learner's optimizer.step() calls."""
    batch = tiny_batch()
    model = tiny_classifier()
    model.train()
    reference = copy.deepcopy(model)
    optimizer, scheduler = make_optimizer_and_scheduler(model)
    ref_optimizer, ref_scheduler = make_optimizer_and_scheduler(reference)
    run = _StepRun(
        model,
        reference,
        optimizer,
        scheduler,
        ref_optimizer,
        ref_scheduler,
        batch,
        loss_before=_loss_on(reference, batch),
        lr_before=optimizer.param_groups[0]["lr"],
        step_calls=[],
    )
    original_step = optimizer.step

    def counting_step(*args, **kwargs):
        run.step_calls.append(1)
        return original_step(*args, **kwargs)

    optimizer.step = counting_step
    run.returned = _both_step(train_step, run)
    return run


def _both_step(train_step: Callable, run: _StepRun) -> Any:
    """One more step of the learner's function and of the course's; the learner's return value."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "lr_scheduler.step() before optimizer.step()"
        with own_work("train_step"):
            returned = train_step(run.model, run.batch, run.optimizer, run.scheduler)
        reference_train_step(run.reference, run.batch, run.ref_optimizer, run.ref_scheduler)
    return returned


def _update_problem(run: _StepRun) -> CheckResult | None:
    """The weights changed, through the optimizer passed in."""
    if _same_parameters(run.model, tiny_classifier(), atol=0.0):
        if not run.step_calls:
            return fail(
                "the weights did not change: call optimizer.step() after loss.backward() to apply "
                "the gradients."
            )
        return fail(
            "the weights did not change although optimizer.step() ran: it had no gradients to "
            "apply. Call loss.backward() on the batch's loss (model(**batch).loss) before it."
        )
    if not run.step_calls:
        return fail(
            "the weights changed, but the optimizer passed to train_step never stepped: call "
            "optimizer.step() on that argument; do not build a new optimizer (or update the weights "
            "by hand) inside train_step."
        )
    return None


def _schedule_problem(run: _StepRun) -> CheckResult | None:
    """The learning rate moved once along the schedule."""
    lr_after = run.optimizer.param_groups[0]["lr"]
    expected_lr = run.ref_optimizer.param_groups[0]["lr"]
    if math.isclose(lr_after, expected_lr, rel_tol=1e-9, abs_tol=1e-12):
        return None
    if math.isclose(lr_after, run.lr_before):
        return fail(
            f"the learning rate is still {run.lr_before:g} after the step: call scheduler.step() on the "
            "scheduler passed to train_step (not the notebook's lr_scheduler), once per batch, after "
            "optimizer.step(), or the linear decay never happens."
        )
    return fail(
        f"after one step the learning rate is {lr_after:g}, expected {expected_lr:g}: call "
        "scheduler.step() exactly once per batch."
    )


def _returned_loss_problem(run: _StepRun, loss: float) -> CheckResult | None:
    """The loss returned is the one of the forward pass that made the gradients."""
    if math.isclose(loss, run.loss_before, rel_tol=1e-4, abs_tol=1e-5):
        return None
    after = _loss_on(run.model, run.batch)
    if math.isclose(loss, after, rel_tol=1e-4, abs_tol=1e-5):
        return fail(
            f"you returned the loss after the update ({loss:.4f}); return the loss of the "
            f"forward pass that produced the gradients ({run.loss_before:.4f})."
        )
    return fail(
        f"train_step returned {loss:.4f}, but the batch's loss before the step is "
        f"{run.loss_before:.4f}: return outputs.loss.item() of this batch."
    )


@register(
    "loop_train_step",
    hints=(
        "Section 'The model, the optimizer and the schedule' and the five steps of exercise 1: forward, "
        "backward, apply, schedule, reset, with the objects passed to train_step.",
        "Each item of the list is one call on the arguments: the forward `model(**batch)` and its "
        "`.loss`, `.backward()`, `.step()` of the optimizer and of the scheduler, `.zero_grad()`; "
        "`.item()` for the float.",
    ),
)
def check_train_step(train_step: Callable) -> CheckResult:
    """`train_step(model, batch, optimizer, scheduler) -> loss` does one complete, correct update.

    Named sub-checks, in order: a loss came back, the weights changed through the optimizer, the
    schedule moved, the right loss, the same weights as the course's step, and a clean second step.
    """
    if not callable(train_step):
        return fail(f"pass your function itself (train_step), not {type(train_step).__name__}.")
    run = _first_step(train_step)
    loss, problem = _as_loss(run.returned)
    if loss is None:
        return fail(problem)
    for sub_check in (_update_problem, _schedule_problem, lambda run: _returned_loss_problem(run, loss)):
        found = sub_check(run)  # one at a time, in order, as a reader would check
        if found is not None:
            return found
    if not _same_parameters(run.model, run.reference):
        return fail(
            "the weights changed, but not as in `loss.backward(); optimizer.step(); "
            "scheduler.step(); optimizer.zero_grad()`: check the order (optimizer.step() "
            "before scheduler.step(), backward before both) and that you use the batch as given."
        )
    loss_after = _loss_on(run.model, run.batch)  # lower: the model is the reference, whose step lowers it
    _both_step(train_step, run)
    if not _same_parameters(run.model, run.reference):
        return fail(
            "the first step is right but the second is not: gradients pile up from one batch to the "
            "next. Call optimizer.zero_grad() in every step (after optimizer.step())."
        )
    return success(
        f"train_step does one full update: the loss on a fixed batch went from {run.loss_before:.3f} "
        f"to {loss_after:.3f}, the learning rate followed the schedule, and gradients are reset.",
        loss_before=run.loss_before,
        loss_after=loss_after,
    )


def pick_train_step(train_step: Callable | None) -> Callable:
    """The learner's train_step when it passes its check, else the course's (so later cells still run)."""
    from course.checks import use_if_passing

    return use_if_passing(
        train_step,
        "loop_train_step",
        reference_train_step,
        "train_step",
        "training",
        "step so that the rest of the notebook runs",
    )


# ---------------------------------------------------------------- the linear schedule

LR_CASES = ((1e-3, 20, 5), (5e-5, 10, 0), (2e-5, 7, 3), (1.0, 4, 0))  # (base_lr, total, warmup)


def reference_lrs(
    base_lr: float, num_training_steps: int, num_warmup_steps: int = 0, steps: int | None = None
) -> list[float]:
    """The learning rate at steps 0, 1, ... as transformers' get_scheduler("linear") sets it."""
    import torch

    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer, scheduler = make_optimizer_and_scheduler(
        [parameter], lr=base_lr, warmup=num_warmup_steps, total=num_training_steps
    )
    rates = []
    for _ in range(num_training_steps + 2 if steps is None else steps):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12)


@register(
    "loop_linear_lr",
    hints=(
        "Exercise 2's three bullets: the warm-up climb, the fall over the steps after warm-up, and zero "
        "after num_training_steps; the plot of the loop above shows that shape.",
        "Plain arithmetic on the arguments, no scheduler object: an `if step < num_warmup_steps:` branch "
        "for the climb, a fraction of the remaining steps after it, and `max(0.0, ...)` to stay at 0.",
    ),
)
def check_linear_lr(linear_lr: Callable) -> CheckResult:
    """`linear_lr(step, base_lr, num_training_steps, num_warmup_steps)` matches get_scheduler("linear")."""
    if not callable(linear_lr):
        return fail(f"pass your function itself (linear_lr), not {type(linear_lr).__name__}.")
    cases = [
        (base_lr, total, warmup, reference_lrs(base_lr, total, warmup)) for base_lr, total, warmup in LR_CASES
    ]
    with own_work("linear_lr"):
        first, doubled = linear_lr(1, 1e-3, 10, 0), linear_lr(1, 2e-3, 10, 0)
        answers = [[linear_lr(step, b, t, w) for step in range(len(expected))] for b, t, w, expected in cases]
    try:
        ignores_base_lr = float(first) == float(doubled)
    except (TypeError, ValueError):
        ignores_base_lr = False
    if ignores_base_lr:
        return fail(
            f"linear_lr gives {float(first):g} at step 1 for base_lr 1e-3 and for 2e-3: compute the rate "
            "from the arguments (not from the rates recorded in training, such as lrs)."
        )
    for (base_lr, total, warmup, expected), given in zip(cases, answers):
        for step, (want, got) in enumerate(zip(expected, given)):
            try:
                got = float(got)
            except (TypeError, ValueError):
                return fail(f"linear_lr returned {type(got).__name__}: return the learning rate as a number.")
            if _close(got, want):
                continue
            where = (
                f"at step {step} (base_lr={base_lr:g}, num_training_steps={total}, num_warmup_steps={warmup})"
            )
            if warmup and step < warmup and _close(got, base_lr * (total - step) / total):
                return fail(
                    f"{where} you give {got:g}, expected {want:g}: no warmup. During the first "
                    "num_warmup_steps the rate climbs from 0: base_lr * step / num_warmup_steps."
                )
            if got < 0:
                return fail(
                    f"{where} you give {got:g}: a learning rate is never negative. After "
                    "num_training_steps the schedule stays at 0 (use max(0, ...))."
                )
            if (step + 1 < len(expected) and _close(got, expected[step + 1])) or (
                step > 0 and _close(got, expected[step - 1])
            ):
                return fail(
                    f"{where} you give {got:g}, expected {want:g}: off by one step. Without warmup "
                    "the rate is base_lr at step 0 and reaches 0 exactly at step num_training_steps."
                )
            if step >= warmup and warmup and _close(got, base_lr * (total - step) / total):
                return fail(
                    f"{where} you give {got:g}, expected {want:g}: after warmup the decay runs over "
                    "the remaining steps: base_lr * (num_training_steps - step) / "
                    "(num_training_steps - num_warmup_steps)."
                )
            return fail(
                f"{where} you give {got:g}, expected {want:g}. The linear schedule rises from 0 to "
                "base_lr during warmup, then falls linearly to 0 at num_training_steps."
            )
    return success('linear_lr matches get_scheduler("linear") at every step, with and without warmup.')


@register(
    "loop_lr_history",
    hints=(
        "Section 'The loop': one learning rate per batch, recorded just before the step that uses it, for "
        "every batch of every epoch.",
        "`lrs.append(lr_scheduler.get_last_lr()[0])` before `step_fn(...)`, and `scheduler.step()` "
        "called once inside each step.",
    ),
)
def check_lr_history(
    lrs: Sequence[float], base_lr: float, num_training_steps: int, num_warmup_steps: int = 0
) -> CheckResult:
    """The learning rates recorded in a training loop (one per step, before the step) follow the schedule."""
    rates = [float(x) for x in lrs]
    expected = reference_lrs(base_lr, num_training_steps, num_warmup_steps, steps=num_training_steps + 1)
    if not rates:
        return fail("no learning rates recorded: append scheduler.get_last_lr()[0] at every step.")
    if len(rates) != num_training_steps:
        return fail(
            f"{len(rates)} learning rates for {num_training_steps} training steps: record one per "
            "step (len(train_dataloader) * num_epochs in all)."
        )
    if all(_close(r, rates[0]) for r in rates) and num_training_steps > 1:
        return fail(f"the learning rate stayed at {rates[0]:g}: scheduler.step() is never called.")
    if all(_close(r, e) for r, e in zip(rates, expected[1:])):
        return fail(
            "the rates are one step ahead: you recorded them after scheduler.step(); record the "
            "rate used by the step, before calling it."
        )
    for step, (got, want) in enumerate(zip(rates, expected)):
        if not _close(got, want):
            return fail(
                f"at step {step} the rate was {got:g}, the linear schedule gives {want:g}: call "
                "scheduler.step() exactly once per batch."
            )
    return success(
        f"the learning rate fell linearly from {rates[0]:g} to {rates[-1]:g} over "
        f'{num_training_steps} steps, as get_scheduler("linear") should.'
    )


# ---------------------------------------------------------------- the evaluation loop


def _tiny_eval_loader(seed: int = 1, size: int = 10, batch_size: int = 4):
    """A DataLoader over `size` padded examples of varied length, in a fixed order."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    rows = []
    for i in range(size):
        length = 3 + (i * 5) % 7
        ids = torch.randint(1, VOCAB, (length,), generator=generator).tolist()
        rows.append({"input_ids": ids, "labels": (i * 7) % 3 % 2})

    def collate(features):
        longest = max(len(f["input_ids"]) for f in features)
        ids = [f["input_ids"] + [0] * (longest - len(f["input_ids"])) for f in features]
        mask = [[1] * len(f["input_ids"]) + [0] * (longest - len(f["input_ids"])) for f in features]
        return {
            "input_ids": torch.tensor(ids),
            "attention_mask": torch.tensor(mask),
            "labels": torch.tensor([f["labels"] for f in features]),
        }

    return _WatchedLoader(rows, batch_size=batch_size, shuffle=False, collate_fn=collate)


def _watched_loader_class():
    from torch.utils.data import DataLoader

    class WatchedLoader(DataLoader):
        """A DataLoader that remembers whether anyone looped over it."""

        looped = False

        def __iter__(self):
            self.looped = True
            return super().__iter__()

    return WatchedLoader


def _WatchedLoader(*args, **kwargs):  # noqa: N802 - builds the class on first use (torch imported late)
    return _watched_loader_class()(*args, **kwargs)


def reference_predict(model, dataloader, device="cpu"):
    """The course's evaluation loop: eval mode, no gradients, argmax of the logits, all batches."""
    import numpy as np
    import torch

    model.eval()
    predictions, labels = [], []
    with torch.no_grad():
        for batch in dataloader:
            batch = {k: v.to(device) for k, v in batch.items()}
            logits = model(**batch).logits
            predictions.append(logits.argmax(dim=-1).cpu())
            labels.append(batch["labels"].cpu())
    return np.concatenate(predictions), np.concatenate(labels)


def _to_array(value):
    import numpy as np
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], torch.Tensor):
        return np.concatenate(
            [v.detach().cpu().reshape(-1) if v.dim() < 2 else v.detach().cpu() for v in value]
        )
    return np.asarray(value)


@register(
    "loop_predict",
    hints=(
        "Section 'Evaluation': the three differences from the training loop (eval mode, no gradients, "
        "predictions instead of a loss), applied to the model and dataloader passed to predict.",
        "`model.eval()`, `with torch.no_grad():`, `.to(device)` for each tensor of the batch, "
        "`argmax` over the class dimension of the logits, and `np.concatenate` (or `torch.cat`) of the "
        "per-batch lists.",
    ),
)
def check_predict(predict: Callable) -> CheckResult:
    """`predict(model, dataloader, device) -> (predictions, labels)` over every batch, in eval mode."""
    import numpy as np
    import torch

    if not callable(predict):
        return fail(f"pass your function itself (predict), not {type(predict).__name__}.")
    model = tiny_classifier(seed=3, dropout=0.5)
    want_preds, want_labels = reference_predict(copy.deepcopy(model), _tiny_eval_loader())
    loader = _tiny_eval_loader()
    model.train()  # as it is after training
    grad_modes: list[bool] = []
    model.register_forward_pre_hook(lambda module, args: grad_modes.append(torch.is_grad_enabled()))
    try:
        with own_work("predict"):
            result = predict(model, loader, "cpu")
    except Exception as error:
        if loader.looped or isinstance(error, ShortcutUsed):
            raise
        result = None
    if not loader.looped or not grad_modes:
        return fail(
            "predict never looped over the dataloader it was given, or never called the model it was "
            "given: use the arguments `model` and `dataloader` (not the notebook's model or "
            "eval_dataloader)."
        )
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return fail(
            "predict should return two things, (predictions, labels): one array of class ids and one of "
            "labels, each covering every batch."
        )
    preds, labels = (_to_array(r) for r in result)
    if model.training:
        return fail(
            "the model is still in training mode: call model.eval() before predicting, or dropout "
            "keeps changing the predictions."
        )
    if any(grad_modes):
        return fail(
            "the forward passes ran with gradients on: wrap the loop in `with torch.no_grad():` "
            "(evaluation needs no gradients, and storing them wastes memory and time)."
        )
    if preds.ndim == 2:
        return fail(
            f"predictions have shape {list(preds.shape)}: those are logits (a score per class), not one "
            "class id per example."
        )
    if len(preds) != len(want_preds) or len(labels) != len(want_labels):
        return fail(
            f"{len(preds)} predictions and {len(labels)} labels for {len(want_preds)} examples: "
            "collect every batch (append each batch's results to a list, concatenate after the "
            "loop)."
        )
    if not np.array_equal(labels.astype(int), want_labels):
        return fail(
            "the labels are not those of the dataloader, in its order: take batch['labels'] of each batch."
        )
    if not np.array_equal(preds.astype(int), want_preds):
        wrong = int((preds.astype(int) != want_preds).sum())
        return fail(
            f"{wrong} of {len(want_preds)} predictions differ from the class with the largest logit of "
            "the model in eval mode."
        )
    return success(
        f"predict returns the argmax of the logits for all {len(want_preds)} examples, in order, "
        "in eval mode and without gradients."
    )


def pick_predict(predict: Callable | None) -> Callable:
    """The learner's predict when it passes its check, else the course's (so later cells still run)."""
    from course.checks import use_if_passing

    return use_if_passing(predict, "loop_predict", reference_predict, "predict", "evaluating", "loop")


# ---------------------------------------------------------------- try it out: the loop on SST-2

POSITIVE = ("good", "great", "fun", "lovely", "superb", "moving", "clever", "warm")
NEGATIVE = ("bad", "dull", "awful", "boring", "weak", "tedious", "clumsy", "flat")
FILLER = (
    "the", "movie", "film", "plot", "was", "very", "quite", "and", "it", "a", "story", "cast",
    "ending", "music", "is", "with", "of", "an", "acting", "script", "this", "its", "scenes", "too",
)  # fmt: skip
MAX_POSITIONS = 48  # the tiny sentiment model's position embeddings: longer rows must be truncated


def sentiment_tokenizer(seed: int = 0) -> Any:
    """A small WordPiece tokenizer over the sentiment words, in a seeded order: [PAD] is not 0."""
    import random

    from course.checks.other_objects import other_wordpiece

    words = [*FILLER, *POSITIVE, *NEGATIVE]
    random.Random(seed).shuffle(words)
    return other_wordpiece(words)


def sentiment_dataset(seed: int, size: int, long_every: int = 6) -> Any:
    """A `datasets.Dataset` shaped like GLUE SST-2 (sentence, label, idx) that a tiny model learns fast.

    Two sentiment words (one near the start) say the label; filler words make the rows' lengths differ (so
    batches need padding), and every `long_every`-th row is longer than the tiny model's positions (so
    the sentences must be truncated).
    """
    import random

    from datasets import ClassLabel, Dataset, Features, Value

    rng = random.Random(seed)
    rows: dict[str, list] = {"sentence": [], "label": [], "idx": []}
    for index in range(size):
        label = rng.randint(0, 1)
        length = 60 if index % long_every == long_every - 1 else rng.randint(2, 14)
        words = [rng.choice(FILLER) for _ in range(length)]
        for position in (rng.randint(0, len(words)), rng.randint(0, 2)):  # one always near the start
            words.insert(position, rng.choice(POSITIVE if label else NEGATIVE))
        rows["sentence"].append(" ".join(words) + " .")
        rows["label"].append(label)
        rows["idx"].append(index)
    features = Features(
        {
            "sentence": Value("string"),
            "label": ClassLabel(names=["negative", "positive"]),
            "idx": Value("int32"),
        }
    )
    return Dataset.from_dict(rows, features=features)


def sentiment_model(tokenizer: Any, seed: int = 0, dropout: float = 0.1) -> Any:
    """A tiny BERT sentiment classifier for `tokenizer`, with dropout, in eval mode (as from_pretrained)."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=MAX_POSITIONS,
        num_labels=2,
        pad_token_id=tokenizer.pad_token_id,
        initializer_range=0.1,  # BERT's 0.02 makes a tiny model linger on a plateau for a random while
        hidden_dropout_prob=dropout,
        attention_probs_dropout_prob=dropout,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = BertForSequenceClassification(config)
    return model.eval()


def reference_fine_tune(
    model, tokenizer, raw_train, batch_size=32, learning_rate=1e-4, num_epochs=1, max_length=64, seed=42
) -> list[float]:
    """The course's loop on SST-2: map, collator, DataLoader, AdamW, linear schedule, the five-line step."""
    import torch
    from torch.utils.data import DataLoader
    from transformers import DataCollatorWithPadding, get_scheduler

    tokenized = raw_train.map(
        lambda batch: tokenizer(batch["sentence"], truncation=True, max_length=max_length), batched=True
    )
    tokenized = tokenized.remove_columns(["sentence", "idx"]).rename_column("label", "labels")
    tokenized.set_format("torch")
    loader = DataLoader(
        tokenized,
        shuffle=True,
        batch_size=batch_size,
        collate_fn=DataCollatorWithPadding(tokenizer=tokenizer),
        generator=torch.Generator().manual_seed(seed),
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    total = num_epochs * len(loader)
    scheduler = get_scheduler("linear", optimizer=optimizer, num_warmup_steps=0, num_training_steps=total)
    losses = []
    model.train()
    for _ in range(num_epochs):
        for batch in loader:
            batch = {key: value.to(model.device) for key, value in batch.items()}
            losses.append(reference_train_step(model, batch, optimizer, scheduler))
    return losses


class TrainingWatch:
    """What a training run did, seen from outside: forward passes, padding, lengths, learning rates."""

    def __init__(self, model, pad_id: int):
        self.model, self.pad_id = model, pad_id
        self.training_forwards = 0  # forward passes with gradients on
        self.in_train_mode = True
        self.padded_rows = 0
        self.pad_ok = True
        self.longest = 0
        self.rates: list[float] = []

    def _forward(self, module, args, kwargs) -> None:
        import torch

        if not torch.is_grad_enabled():
            return
        self.training_forwards += 1
        self.in_train_mode &= module.training
        ids, mask = kwargs.get("input_ids"), kwargs.get("attention_mask")
        if ids is None and args:
            ids = args[0]
        if ids is not None:
            self.longest = max(self.longest, int(ids.shape[-1]))
            if mask is not None:
                self.padded_rows += int((mask == 0).any(dim=-1).sum())
                self.pad_ok &= bool((ids[mask == 0] == self.pad_id).all())

    def _step(self, optimizer, args, kwargs) -> None:
        if any(p is q for group in optimizer.param_groups for p in group["params"] for q in self.params):
            self.rates.append(float(optimizer.param_groups[0]["lr"]))

    def __enter__(self) -> TrainingWatch:
        from torch.optim.optimizer import register_optimizer_step_pre_hook

        self.params = list(self.model.parameters())[-1:]
        self._handles = [
            self.model.register_forward_pre_hook(self._forward, with_kwargs=True),
            register_optimizer_step_pre_hook(self._step),
        ]
        return self

    def __exit__(self, *exc) -> None:
        for handle in self._handles:
            handle.remove()


def sentiment_accuracy(model, tokenizer, dataset) -> tuple[float, float]:
    """(accuracy of `model` on `dataset`, majority baseline), in eval mode without gradients."""
    import torch

    model.eval()
    labels = torch.tensor(dataset["label"])
    with torch.no_grad():
        encoded = tokenizer(
            list(dataset["sentence"]),
            truncation=True,
            max_length=MAX_POSITIONS,
            padding=True,
            return_tensors="pt",
        )
        predictions = model(**encoded).logits.argmax(dim=-1)
    baseline = max(float(labels.float().mean()), 1 - float(labels.float().mean()))
    return float((predictions == labels).float().mean()), baseline


# (train seed, size, eval seed, batch_size, learning_rate, num_epochs, max_length) of the self-check's run
FINE_TUNE_CASE = (3, 128, 4, 16, 8e-3, 8, 24)


def run_fine_tune(fine_tune: Callable, case: tuple = FINE_TUNE_CASE, tokenizer_seed: int = 1) -> dict:
    """Run `fine_tune` on a tiny sentiment task and report what it did (the check's and the tests' facts)."""
    train_seed, size, eval_seed, batch_size, learning_rate, num_epochs, max_length = case
    tokenizer = sentiment_tokenizer(tokenizer_seed)
    model = sentiment_model(tokenizer, seed=train_seed)
    train = sentiment_dataset(train_seed, size)
    with warnings.catch_warnings(), TrainingWatch(model, tokenizer.pad_token_id) as watch:
        warnings.simplefilter("ignore")
        try:
            losses = fine_tune(
                model,
                tokenizer,
                train,
                batch_size=batch_size,
                learning_rate=learning_rate,
                num_epochs=num_epochs,
                max_length=max_length,
            )
        except Exception:  # noqa: BLE001 - rows longer than the model's positions crash it: say why
            if watch.longest <= max_length:
                raise
            losses = None
    accuracy, baseline = sentiment_accuracy(model, tokenizer, sentiment_dataset(eval_seed, 80))
    return {
        "losses": losses,
        "steps": num_epochs * math.ceil(size / batch_size),
        "watch": watch,
        "accuracy": accuracy,
        "baseline": baseline,
        "inputs": f"{size} sentences, batch_size={batch_size}, num_epochs={num_epochs}, "
        f"learning_rate={learning_rate:g}, max_length={max_length}",
        "learning_rate": learning_rate,
        "max_length": max_length,
    }


def _fine_tune_problem(run: dict) -> str | None:
    """What is wrong with a fine-tuning run, or None."""
    steps, watch, losses = run["steps"], run["watch"], run["losses"]
    if watch.longest > run["max_length"]:
        return f"a batch {watch.longest} tokens long reached the model, past max_length={run['max_length']}"
    if not isinstance(losses, (list, tuple)) or not all(isinstance(x, float) for x in losses):
        return f"it returned {type(losses).__name__}, not a list of Python floats (one loss per step)"
    if watch.training_forwards != steps or len(losses) != steps:
        return (
            f"{steps} batches of training were expected; the model ran {watch.training_forwards} forward "
            f"passes with gradients and {len(losses)} losses came back"
        )
    if not watch.in_train_mode:
        return (
            "the model was trained in evaluation mode (it arrives as from_pretrained leaves it), "
            "so dropout never acted"
        )
    if not watch.pad_ok or not watch.padded_rows:
        return "the padded positions of the batches do not hold this tokenizer's [PAD] id (it is not 0 here)"
    want = [run["learning_rate"] * (steps - i) / steps for i in range(steps)]
    if len(watch.rates) != steps or not all(_close(a, b) for a, b in zip(watch.rates, want)):
        return (
            f"the learning rates of the optimizer's steps "
            f"({', '.join(f'{r:.2g}' for r in watch.rates[:4])}, ...) "
            f"are not a linear decay from learning_rate={run['learning_rate']:g} to 0 over the {steps} steps"
        )
    quarter = max(1, steps // 4)
    first, last = sum(losses[:quarter]) / quarter, sum(losses[-quarter:]) / quarter
    if not last < first - 0.05 or run["accuracy"] < run["baseline"] + 0.2:
        return (
            f"the loss went from {first:.3f} (first quarter) to {last:.3f} (last quarter) and the model "
            f"scores {run['accuracy']:.0%} on held-out sentences against a {run['baseline']:.0%} baseline"
        )
    return None


@register(
    "loop_fine_tune_sst2",
    hints=(
        "Section 'The loop' and 'Processing the data' (notebook 06): the same preparation and loop as for "
        "MRPC, with one sentence per example and the sizes taken from the arguments.",
        "`Dataset.map(batched=True)` with the tokenizer's truncation and max_length, `remove_columns` / "
        "`rename_column` / `set_format`, a `DataLoader` with `DataCollatorWithPadding`, `torch.optim.AdamW`, "
        '`get_scheduler("linear", ...)`, and `model.train()` before the loop.',
    ),
)
def check_fine_tune_sst2(fine_tune: Callable) -> CheckResult:
    """`fine_tune_sst2(model, tokenizer, raw_train, ...)` trains a tiny model with the course's loop."""
    if not callable(fine_tune):
        return fail(f"pass your function itself (fine_tune_sst2), not {type(fine_tune).__name__}.")
    run = run_fine_tune(fine_tune)
    problem = _fine_tune_problem(run)
    if problem is not None:
        return fail(f"on a tiny sentiment set ({run['inputs']}): {problem}.")
    return success(
        f"fine_tune_sst2 trains a tiny model on {run['inputs']}: one step per batch, the loss falls, "
        f"and held-out accuracy ends more than 20 points above the {run['baseline']:.0%} majority baseline."
    )


# ---------------------------------------------------------------- the Accelerate loop


def watched_accelerator() -> Any:
    """An `accelerate.Accelerator` that records what went through `prepare` and how often `backward` ran."""
    from accelerate import Accelerator

    class WatchedAccelerator(Accelerator):
        """Accelerator(), recording its prepare() arguments and backward() calls."""

        def __init__(self, *args: Any, **kwargs: Any):
            super().__init__(*args, **kwargs)
            self.prepared: list[Any] = []
            self.backward_calls = 0

        def prepare(self, *args: Any, **kwargs: Any) -> Any:
            self.prepared.extend(args)
            return super().prepare(*args, **kwargs)

        def backward(self, loss: Any, **kwargs: Any) -> None:
            self.backward_calls += 1
            return super().backward(loss, **kwargs)

    return WatchedAccelerator()


def tiny_train_loader(seed: int = 2, size: int = 12, batch_size: int = 4) -> Any:
    """A DataLoader (no shuffling) over `size` padded rows of varied length for the tiny classifier."""
    loader = _tiny_eval_loader(seed=seed, size=size, batch_size=batch_size)
    from torch.utils.data import DataLoader

    return DataLoader(loader.dataset, batch_size=batch_size, shuffle=False, collate_fn=loader.collate_fn)


def reference_accelerate_train(accelerator, model, optimizer, train_dataloader, num_epochs) -> list[float]:
    """The course's Accelerate loop: prepare, the schedule from the prepared loader, accelerator.backward."""
    from transformers import get_scheduler

    train_dataloader, model, optimizer = accelerator.prepare(train_dataloader, model, optimizer)
    total = num_epochs * len(train_dataloader)
    scheduler = get_scheduler("linear", optimizer=optimizer, num_warmup_steps=0, num_training_steps=total)
    losses = []
    model.train()
    for _ in range(num_epochs):
        for batch in train_dataloader:
            loss = model(**batch).loss
            accelerator.backward(loss)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            losses.append(loss.item())
    return losses


def run_accelerate(train: Callable, seed: int = 0, epochs: int = 2, lr: float = 1e-2) -> dict:
    """Run an Accelerate loop on a tiny classifier (dropout on, data in a fixed order); what it did."""
    import torch

    model = tiny_classifier(seed=seed, dropout=0.1).eval()
    loader = tiny_train_loader(seed=seed + 2)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    accelerator = watched_accelerator()
    torch.manual_seed(seed)  # dropout's draws
    with warnings.catch_warnings(), TrainingWatch(model, 0) as watch:
        warnings.simplefilter("ignore")
        losses = train(accelerator, model, optimizer, loader, epochs)
    ids = {id(x) for x in accelerator.prepared}
    return {
        "losses": losses,
        "steps": epochs * len(loader),
        "prepared": [id(model) in ids, id(optimizer) in ids, id(loader) in ids],
        "backward_calls": accelerator.backward_calls,
        "watch": watch,
        "weights": [p.detach().clone() for n, p in model.named_parameters() if n.startswith("classifier")],
        "lr": lr,
        "seed": seed,
        "epochs": epochs,
    }


def _accelerate_problem(run: dict) -> str | None:
    """What is wrong with an Accelerate run, or None."""
    import torch

    steps, watch = run["steps"], run["watch"]
    names = ("the model", "the optimizer", "the training dataloader")
    missing = [name for name, seen in zip(names, run["prepared"]) if not seen]
    if missing:
        return f"accelerator.prepare never received {' and '.join(missing)}"
    if run["backward_calls"] != steps:
        return f"accelerator.backward ran {run['backward_calls']} times for {steps} batches"
    losses = run["losses"]
    if (
        not isinstance(losses, (list, tuple))
        or len(losses) != steps
        or not all(isinstance(x, float) for x in losses)
    ):
        return f"expected a list of {steps} Python floats (one loss per batch), got {type(losses).__name__}"
    if not watch.in_train_mode:
        return "the model was trained in evaluation mode, so dropout never acted"
    want = [run["lr"] * (steps - i) / steps for i in range(steps)]
    if len(watch.rates) != steps or not all(_close(a, b) for a, b in zip(watch.rates, want)):
        return (
            f"the learning rates of the {len(watch.rates)} optimizer steps are not a linear decay to 0 "
            f"over {steps} steps"
        )
    reference = run_accelerate(reference_accelerate_train, run["seed"], run["epochs"], run["lr"])
    if not all(torch.allclose(a, b, atol=1e-5) for a, b in zip(run["weights"], reference["weights"])):
        return "the weights after training differ from those of the course's loop on the same batches"
    return None


@register(
    "loop_accelerate",
    hints=(
        "Section 'The same loop with Accelerate': two changes to the plain loop, and where the schedule is "
        "created.",
        "`accelerator.prepare(...)` on the dataloader, the model and the optimizer (use what it returns), "
        "`get_scheduler` after it, and `accelerator.backward(loss)`.",
    ),
)
def check_accelerate(accelerate_train: Callable) -> CheckResult:
    """`accelerate_train(accelerator, model, optimizer, train_dataloader, num_epochs)`: the course's loop."""
    if not callable(accelerate_train):
        return fail(f"pass your function itself (accelerate_train), not {type(accelerate_train).__name__}.")
    run = run_accelerate(accelerate_train, seed=1)
    problem = _accelerate_problem(run)
    if problem is not None:
        return fail(f"on a tiny classifier with dropout (12 rows in batches of 4, num_epochs=2): {problem}.")
    return success(
        f"accelerate_train prepares the three objects, calls accelerator.backward once per batch "
        f"({run['steps']} batches), decays the rate linearly, and ends with the course loop's weights."
    )


def pick_fine_tune(fine_tune: Callable | None) -> Callable:
    """The learner's fine_tune_sst2 when it passes its check, else the course's (so later cells still run)."""
    from course.checks import use_if_passing

    return use_if_passing(
        fine_tune, "loop_fine_tune_sst2", reference_fine_tune, "fine_tune_sst2", "fine-tuning", "loop"
    )


def pick_accelerate(accelerate_train: Callable | None) -> Callable:
    """The learner's accelerate_train when it passes its check, else the course's."""
    from course.checks import use_if_passing

    return use_if_passing(
        accelerate_train,
        "loop_accelerate",
        reference_accelerate_train,
        "accelerate_train",
        "training",
        "loop",
    )
