"""The checks of "A full training loop": each fed a right answer and realistic wrong ones."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from message_coverage import assert_every_failure_reached

from course.checks import run_check
from course.checks import training_loop as loop


def _step(
    *,
    backward=True,
    optimizer_step=True,
    scheduler_step=True,
    scheduler_twice=False,
    new_optimizer=False,
    global_scheduler=None,
    zero_grad=True,
    zero_first=False,
    scheduler_first=False,
    returns="item",
):
    """A train_step with one realistic mistake switched on."""

    def train_step(model, batch, optimizer, scheduler):
        if new_optimizer:
            optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
        if global_scheduler is not None:
            scheduler = global_scheduler  # the notebook's lr_scheduler, not the argument
        if zero_first:
            optimizer.zero_grad()
        loss = model(**batch).loss
        if backward:
            loss.backward()
        if scheduler_first and scheduler_step:
            scheduler.step()
        if optimizer_step:
            optimizer.step()
        if scheduler_step and not scheduler_first:
            scheduler.step()
            if scheduler_twice:
                scheduler.step()
        if zero_grad and not zero_first:
            optimizer.zero_grad()
        if returns == "item":
            return loss.item()
        if returns == "tensor":
            return loss
        if returns == "after":
            with torch.no_grad():
                return model(**batch).loss.item()
        if returns == "mean_logit":
            return outputs_mean(model, batch)
        return None

    return train_step


def outputs_mean(model, batch):
    with torch.no_grad():
        return model(**batch).logits.mean().item()


def _notebook_lr_scheduler():
    parameter = torch.nn.Parameter(torch.zeros(1))
    return loop.make_optimizer_and_scheduler([parameter], lr=5e-5, total=32)[1]


def test_train_step_right_answers_pass():
    assert run_check("loop_train_step", _step()).passed
    assert run_check("loop_train_step", _step(zero_first=True)).passed  # zero_grad at the start is fine too


@pytest.mark.parametrize(
    ("mistake", "message"),
    [
        ({"zero_grad": False}, "optimizer.zero_grad()"),
        ({"scheduler_step": False}, "call scheduler.step()"),
        ({"backward": False}, "no gradients to apply"),
        ({"optimizer_step": False}, "call optimizer.step()"),
        ({"scheduler_first": True}, "check the order"),
        ({"returns": "tensor"}, "loss.item()"),
        ({"returns": "none"}, "returned None"),
        ({"returns": "after"}, "loss after the update"),
        ({"returns": "mean_logit"}, "the batch's loss before the step is"),
        ({"scheduler_twice": True}, "exactly once per batch"),
        ({"new_optimizer": True}, "never stepped"),
        ({"global_scheduler": _notebook_lr_scheduler()}, "not the notebook's lr_scheduler"),
    ],
)
def test_train_step_mistakes_are_named(mistake, message):
    result = run_check("loop_train_step", _step(**mistake))
    assert not result.passed
    assert message in result.message


def test_train_step_that_raises_is_reported():
    def unfinished(model, batch, optimizer, scheduler):
        raise NotImplementedError()

    result = run_check("loop_train_step", unfinished)
    assert not result.passed and "NotImplementedError" in result.message


def test_train_step_shortcuts_and_non_functions():
    result = run_check("loop_train_step", loop.reference_train_step)
    assert not result.passed and "reference_train_step" in result.message
    result = run_check(
        "loop_train_step",
        loop.reference_train_step(
            loop.tiny_classifier(),
            loop.tiny_batch(),
            *loop.make_optimizer_and_scheduler(loop.tiny_classifier()),
        ),
    )
    assert not result.passed and "pass your function itself" in result.message


def test_pick_train_step_falls_back(capsys):
    assert loop.pick_train_step(_step(zero_grad=False)) is loop.reference_train_step
    assert "does not pass" in capsys.readouterr().out
    good = _step()
    assert loop.pick_train_step(good) is good


def _linear_lr(step, base_lr, total, warmup=0):
    if step < warmup:
        return base_lr * step / warmup
    return base_lr * max(0.0, (total - step) / (total - warmup))


def test_linear_lr_right_answer_passes():
    assert run_check("loop_linear_lr", _linear_lr).passed


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda s, b, t, w=0: b * max(0.0, (t - s) / t), "no warmup"),
        (lambda s, b, t, w=0: b * s / w if s < w else b * (t - s) / (t - w), "never negative"),
        (lambda s, b, t, w=0: b * s / w if s < w else b * max(0.0, (t - s - 1) / (t - w)), "off by one"),
        (lambda s, b, t, w=0: b * s / w if s < w else b * max(0.0, (t - s) / t), "remaining steps"),
        (lambda s, b, t, w=0: b / 2, "rises from 0"),
    ],
)
def test_linear_lr_mistakes_are_named(wrong, message):
    result = run_check("loop_linear_lr", wrong)
    assert not result.passed
    assert message in result.message


_RECORDED = loop.reference_lrs(5e-5, 32, 0, steps=32)  # the notebook's lrs, recorded during training


def _with_scheduler(step, base_lr, num_training_steps, num_warmup_steps=0):
    from transformers import get_scheduler

    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=base_lr)
    scheduler = get_scheduler(
        "linear",
        optimizer=optimizer,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
    )
    for _ in range(step):
        optimizer.step()
        scheduler.step()
    return scheduler.get_last_lr()[0]


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda s, b, t, w=0: _RECORDED[s], "not from the rates recorded in training"),
        (_with_scheduler, "builds a learning-rate scheduler"),
        (lambda s, b, t, w=0: loop.reference_lrs(b, t, w)[s], "builds a learning-rate scheduler"),
        (lambda s, b, t, w=0: None, "return the learning rate as a number"),
        (_RECORDED, "pass your function itself"),
    ],
    ids=["recorded", "get_scheduler", "reference", "none", "a_list"],
)
def test_linear_lr_shortcuts_and_non_numbers(wrong, message):
    result = run_check("loop_linear_lr", wrong)
    assert not result.passed
    assert message in result.message, result.message


def test_lr_history():
    rates = loop.reference_lrs(5e-5, 12, 0, steps=13)
    assert run_check("loop_lr_history", rates[:12], 5e-5, 12).passed
    warm = loop.reference_lrs(1e-3, 12, 3, steps=12)
    assert run_check("loop_lr_history", warm, 1e-3, 12, 3).passed
    cases = [
        (rates[1:13], "after scheduler.step()"),
        ([5e-5] * 12, "never called"),
        (rates[:6], "6 learning rates for 12"),
        ([], "no learning rates"),
        (rates[:6] + [r / 2 for r in rates[6:12]], "exactly once per batch"),
    ]
    for lrs, message in cases:
        result = run_check("loop_lr_history", lrs, 5e-5, 12)
        assert not result.passed and message in result.message, (message, result.message)


def _predict(*, eval_mode=True, no_grad=True, keep_all=True, argmax=True, as_lists=False):
    def predict(model, dataloader, device):
        if eval_mode:
            model.eval()
        preds, labels = [], []
        with torch.set_grad_enabled(not no_grad):
            for batch in dataloader:
                batch = {k: v.to(device) for k, v in batch.items()}
                logits = model(**batch).logits
                out = logits.argmax(dim=-1) if argmax else logits
                if keep_all:
                    preds.append(out.detach())
                    labels.append(batch["labels"])
                else:
                    preds, labels = [out.detach()], [batch["labels"]]
        if as_lists:
            return preds, labels
        return torch.cat(preds).numpy(), torch.cat(labels).numpy()

    return predict


def test_predict_right_answers_pass():
    assert run_check("loop_predict", _predict()).passed
    assert run_check("loop_predict", _predict(as_lists=True)).passed  # lists of per-batch tensors are fine


@pytest.mark.parametrize(
    ("mistake", "message"),
    [
        ({"eval_mode": False}, "model.eval()"),
        ({"no_grad": False}, "torch.no_grad()"),
        ({"keep_all": False}, "collect every batch"),
        ({"argmax": False}, "those are logits"),
    ],
)
def test_predict_mistakes_are_named(mistake, message):
    result = run_check("loop_predict", _predict(**mistake))
    assert not result.passed
    assert message in result.message


def test_predict_wrong_return_and_wrong_labels():
    right = _predict()
    result = run_check("loop_predict", lambda model, loader, device: right(model, loader, device)[0])
    assert not result.passed and "(predictions, labels)" in result.message

    def shuffled_labels(model, loader, device):
        preds, labels = right(model, loader, device)
        return preds, labels[::-1]

    result = run_check("loop_predict", shuffled_labels)
    assert not result.passed and "labels" in result.message

    def flipped(model, loader, device):
        preds, labels = right(model, loader, device)
        return 1 - preds, labels

    result = run_check("loop_predict", flipped)
    assert not result.passed and "predictions differ from the class with the largest logit" in result.message


def test_predict_shortcuts_and_other_objects():
    result = run_check("loop_predict", loop.reference_predict)
    assert not result.passed and "reference_predict" in result.message
    result = run_check("loop_predict", "predict")
    assert not result.passed and "pass your function itself" in result.message
    right = _predict()
    notebook_loader = loop._tiny_eval_loader(seed=9)  # stands for the notebook's eval_dataloader
    result = run_check("loop_predict", lambda model, loader, device: right(model, notebook_loader, device))
    assert not result.passed and "never looped over the dataloader it was given" in result.message
    notebook_model = loop.tiny_classifier(seed=9)  # stands for the notebook's model
    result = run_check("loop_predict", lambda model, loader, device: right(notebook_model, loader, device))
    assert not result.passed and "never called the model it was given" in result.message

    def no_unpacking(model, loader, device):  # model(batch) instead of model(**batch)
        model.eval()
        with torch.no_grad():
            return [model(batch).logits.argmax(-1) for batch in loader], []

    result = run_check("loop_predict", no_unpacking)
    assert not result.passed and "your code raised" in result.message


def test_pick_predict_falls_back(capsys):
    assert loop.pick_predict(_predict(eval_mode=False)) is loop.reference_predict
    assert "does not pass" in capsys.readouterr().out


def test_moving_average_and_plot():
    from course.viz.loop import moving_average, plot_loss_curve

    assert moving_average([1.0, 3.0, 5.0, 7.0], 2) == [1.0, 2.0, 4.0, 6.0]
    import matplotlib

    matplotlib.use("Agg")
    fig = plot_loss_curve({"a": [0.7, 0.6, 0.5], "b": [0.7, 0.65]}, lrs=[1e-3, 5e-4, 0.0], window=2)
    assert len(fig.axes) == 2
    assert np.isclose(fig.axes[0].lines[1].get_ydata()[-1], 0.55)


def test_own_work_switches_off_and_restores():
    from transformers import get_scheduler

    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=1.0)
    with pytest.raises(AssertionError, match=r"^\[NOT YET\] linear_lr builds a learning-rate scheduler"):
        with loop.own_work("linear_lr"):
            get_scheduler("linear", optimizer=optimizer, num_warmup_steps=0, num_training_steps=4)
    scheduler = get_scheduler(
        "linear", optimizer=optimizer, num_warmup_steps=0, num_training_steps=4
    )  # restored
    assert scheduler.get_last_lr() == [1.0]
    with pytest.raises(KeyError):
        loop.own_work("no_such_exercise")


# ---- loop_fine_tune_sst2 (try it out) ----------------------------------------------------------


def _fine_tune(train_mode=True, cut=True, lr=None, schedule=True, batch=None, pad_zero=False, result="list"):
    """A fine_tune_sst2 with one realistic mistake switched on (else the course's loop)."""
    from torch.utils.data import DataLoader
    from transformers import DataCollatorWithPadding, get_scheduler

    def fine_tune(
        model, tokenizer, raw_train, batch_size=32, learning_rate=1e-4, num_epochs=1, max_length=64
    ):
        limit = max_length if cut else 512  # 512: the tokenizer's own limit, past the model's positions
        tokenized = raw_train.map(
            lambda e: tokenizer(e["sentence"], truncation=True, max_length=limit), batched=True
        )
        tokenized = tokenized.remove_columns(["sentence", "idx"]).rename_column("label", "labels")
        tokenized.set_format("torch")
        collate = DataCollatorWithPadding(tokenizer=tokenizer)

        def collate_fn(features):
            batch = collate(features)
            if pad_zero:
                batch["input_ids"][batch["attention_mask"] == 0] = 0
            return batch

        loader = DataLoader(tokenized, shuffle=True, batch_size=batch or batch_size, collate_fn=collate_fn)
        optimizer = torch.optim.AdamW(model.parameters(), lr=lr or learning_rate)
        steps = num_epochs * len(loader)
        scheduler = get_scheduler("linear", optimizer=optimizer, num_warmup_steps=0, num_training_steps=steps)
        losses = []
        if train_mode:
            model.train()
        for _ in range(num_epochs):
            for batch_ in loader:
                loss = model(**batch_).loss
                loss.backward()
                optimizer.step()
                if schedule:
                    scheduler.step()
                optimizer.zero_grad()
                losses.append(loss.item())
        return losses if result == "list" else sum(losses) / len(losses)

    return fine_tune


def test_fine_tune_right_answers_pass():
    result = run_check("loop_fine_tune_sst2", loop.reference_fine_tune)
    assert result.passed, result.message
    result = run_check("loop_fine_tune_sst2", _fine_tune())
    assert result.passed, result.message


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        (_fine_tune(train_mode=False), "trained in evaluation mode"),
        (_fine_tune(cut=False), "past max_length=24"),
        (_fine_tune(lr=1e-6), "not a linear decay from learning_rate"),
        (_fine_tune(schedule=False), "not a linear decay from learning_rate"),
        (_fine_tune(batch=8), "batches of training were expected"),
        (_fine_tune(pad_zero=True), "do not hold this tokenizer's [PAD] id"),
        (_fine_tune(result="mean"), "not a list of Python floats"),
        ("not a function", "pass your function itself"),
    ],
)
def test_fine_tune_wrong_answers_fail(answer, needle):
    result = run_check("loop_fine_tune_sst2", answer)
    assert not result.passed and needle in result.message, result.message


def test_fine_tune_problem_names_a_run_that_did_not_learn():
    run = loop.run_fine_tune(loop.reference_fine_tune)
    assert loop._fine_tune_problem(run) is None
    stuck = {**run, "losses": [0.69] * len(run["losses"])}
    assert "the loss went from 0.690" in loop._fine_tune_problem(stuck)
    assert "past max_length" in loop._fine_tune_problem({**run, "max_length": 3})


def test_sentiment_data_needs_padding_and_truncation():
    tokenizer = loop.sentiment_tokenizer(0)
    assert tokenizer.pad_token_id != 0
    rows = loop.sentiment_dataset(0, 12)
    lengths = [len(tokenizer(text)["input_ids"]) for text in rows["sentence"]]
    assert max(lengths) > loop.MAX_POSITIONS and len(set(lengths)) > 3
    assert set(rows["label"]) == {0, 1}


# ---- loop_accelerate ---------------------------------------------------------------------------


def _accelerate(
    prepare="all", backward="accelerator", zero=True, train_mode=True, schedule=True, result="list"
):
    """An accelerate_train with one realistic mistake switched on."""
    from transformers import get_scheduler

    def accelerate_train(accelerator, model, optimizer, train_dataloader, num_epochs):
        if prepare == "all":
            train_dataloader, model, optimizer = accelerator.prepare(train_dataloader, model, optimizer)
        elif prepare == "no_loader":
            model, optimizer = accelerator.prepare(model, optimizer)
        steps = num_epochs * len(train_dataloader)
        scheduler = get_scheduler("linear", optimizer=optimizer, num_warmup_steps=0, num_training_steps=steps)
        losses = []
        if train_mode:
            model.train()
        for _ in range(num_epochs):
            for batch in train_dataloader:
                loss = model(**batch).loss
                if backward == "accelerator":
                    accelerator.backward(loss)
                else:
                    loss.backward()
                optimizer.step()
                if schedule:
                    scheduler.step()
                if zero:
                    optimizer.zero_grad()
                losses.append(loss.item() if result == "list" else loss)
        return losses

    return accelerate_train


def test_accelerate_right_answers_pass():
    result = run_check("loop_accelerate", loop.reference_accelerate_train)
    assert result.passed, result.message
    assert run_check("loop_accelerate", _accelerate()).passed


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        (_accelerate(prepare="no_loader"), "never received the training dataloader"),
        (_accelerate(backward="loss"), "accelerator.backward ran 0 times"),
        (_accelerate(result="tensors"), "Python floats"),
        (_accelerate(train_mode=False), "trained in evaluation mode"),
        (_accelerate(schedule=False), "not a linear decay"),
        (_accelerate(zero=False), "differ from those of the course's loop"),
        ("not a function", "pass your function itself"),
    ],
)
def test_accelerate_wrong_answers_fail(answer, needle):
    result = run_check("loop_accelerate", answer)
    assert not result.passed and needle in result.message, result.message


def test_pick_fine_tune_and_accelerate_fall_back(capsys):
    assert loop.pick_fine_tune(_fine_tune(schedule=False)) is loop.reference_fine_tune
    assert loop.pick_accelerate(_accelerate(zero=False)) is loop.reference_accelerate_train
    assert "does not pass" in capsys.readouterr().out


def test_every_failure_message_is_reached():
    assert_every_failure_reached(loop)
