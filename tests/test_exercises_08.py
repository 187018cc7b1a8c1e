"""08_full_training_loop: plausible wrong answers fail both the self-check and the graded tests (issue #14).

The notebook runs once (module fixture); at each exercise every wrong answer below replaces the solution
cell, followed by the exercise's self-check and graded test cells (tests/exercise_harness.py). Each wrong
answer is a mistake a message of course.checks.training_loop names, or a ready-made answer in place of the
work (a scheduler built to read the rate from, the rates recorded in training, the notebook's own
lr_scheduler and eval_dataloader, the course's reference functions). All of them run on the tests' tiny
random models: no extra training of the notebook's model.
"""

from __future__ import annotations

import pytest
from exercise_harness import define, exercise_tests, unanswered, variants

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

NAME = "chapter3/08_full_training_loop.ipynb"

STEP = (
    "outputs = model(**batch)",
    "loss = outputs.loss",
    "loss.backward()",
    "optimizer.step()",
    "scheduler.step()",
    "optimizer.zero_grad()",
    "return loss.item()",
)


def _step(*lines: str) -> str:
    return "def train_step(model, batch, optimizer, scheduler):\n" + "".join(
        f"    {line}\n" for line in lines
    )


def _without(line: str) -> str:
    return _step(*(x for x in STEP if x != line))


def _replaced(old: str, new: str) -> str:
    return _step(*(new if x == old else x for x in STEP))


_lr = define("linear_lr", "step, base_lr, num_training_steps, num_warmup_steps=0")


_predict = variants(
    "import numpy as np\n\n\n"
    "def predict(model, dataloader, device):\n"
    "    {model_mode}\n"
    "    all_predictions, all_labels = [], []\n"
    "    with {grad}:\n"
    "        for batch in {loader}:\n"
    "            batch = {{k: v.to(device) for k, v in batch.items()}}\n"
    "            logits = model(**batch).logits\n"
    "            predictions = {output}\n"
    "            {keep}\n"
    '            all_labels.append(batch["labels"].cpu().numpy())\n'
    "    return np.concatenate(all_predictions), np.concatenate(all_labels)\n",
    model_mode="model.eval()",
    grad="torch.no_grad()",
    loader="dataloader",
    output="logits.argmax(dim=-1)",
    keep="all_predictions.append(predictions.cpu().numpy())",
)


_fine_tune = variants(
    "from torch.utils.data import DataLoader\n"
    "from transformers import DataCollatorWithPadding, get_scheduler\n\n\n"
    "def fine_tune_sst2(model, tokenizer, raw_train, batch_size=32, learning_rate=1e-4, num_epochs=1, "
    "max_length=64):\n"
    '    tokenized = raw_train.map(lambda e: tokenizer(e["sentence"], {truncation}), batched=True)\n'
    '    tokenized = tokenized.remove_columns(["sentence", "idx"]).rename_column("label", "labels")\n'
    '    tokenized.set_format("torch")\n'
    "    loader = DataLoader(tokenized, shuffle=True, batch_size={batch}, collate_fn={collator})\n"
    "    optimizer = torch.optim.AdamW(model.parameters(), lr={lr})\n"
    "    steps = num_epochs * len(loader)\n"
    '    scheduler = get_scheduler("linear", optimizer=optimizer, num_warmup_steps=0,\n'
    "                              num_training_steps=steps)\n"
    "    losses = []\n"
    "    {train_mode}\n"
    "    for epoch in range(num_epochs):\n"
    "        for batch in loader:\n"
    "            batch = {{k: v.to(model.device) for k, v in batch.items()}}\n"
    "            loss = model(**batch).loss\n"
    "            loss.backward()\n"
    "            optimizer.step()\n"
    "            {schedule}\n"
    "            optimizer.zero_grad()\n"
    "            losses.append(loss.item())\n"
    "    return losses\n",
    truncation="truncation=True, max_length=max_length",
    batch="batch_size",
    collator="DataCollatorWithPadding(tokenizer=tokenizer)",
    lr="learning_rate",
    train_mode="model.train()",
    schedule="scheduler.step()",
)

_accelerate = variants(
    "def accelerate_train(accelerator, model, optimizer, train_dataloader, num_epochs):\n"
    "    {prepare}\n"
    "    steps = num_epochs * len(train_dataloader)\n"
    '    lr_scheduler = get_scheduler("linear", optimizer=optimizer, num_warmup_steps=0, '
    "num_training_steps=steps)\n"
    "    losses = []\n"
    "    {train_mode}\n"
    "    for epoch in range(num_epochs):\n"
    "        for batch in train_dataloader:\n"
    "            loss = model(**batch).loss\n"
    "            {backward}\n"
    "            optimizer.step()\n"
    "            lr_scheduler.step()\n"
    "            {zero}\n"
    "            losses.append(loss.item())\n"
    "    return losses\n",
    prepare="train_dataloader, model, optimizer = accelerator.prepare(train_dataloader, model, optimizer)",
    train_mode="model.train()",
    backward="accelerator.backward(loss)",
    zero="optimizer.zero_grad()",
)


ANSWERS = {
    "loop_train_step_solution": [
        ("no optimizer.zero_grad(): gradients pile up", _without("optimizer.zero_grad()")),
        (
            "the notebook's lr_scheduler, not the argument",
            _replaced("scheduler.step()", "lr_scheduler.step()"),
        ),
        ("no scheduler.step()", _without("scheduler.step()")),
        (
            "scheduler.step() before optimizer.step()",
            _step(*STEP[:3], "scheduler.step()", "optimizer.step()", *STEP[5:]),
        ),
        ("the loss tensor returned, not loss.item()", _replaced("return loss.item()", "return loss")),
        (
            "the loss after the update",
            _replaced("return loss.item()", "return model(**batch).loss.item()"),
        ),
        (
            "a new optimizer in every step",
            _step("optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)", *STEP),
        ),
        (
            "the course's reference in place of the work",
            "from course.checks.training_loop import reference_train_step as train_step\n",
        ),
    ],
    "loop_linear_lr_solution": [
        (
            "no warmup",
            _lr("    return base_lr * max(0.0, (num_training_steps - step) / num_training_steps)\n"),
        ),
        (
            "negative after the end",
            _lr(
                "    if step < num_warmup_steps:\n"
                "        return base_lr * step / num_warmup_steps\n"
                "    return base_lr * (num_training_steps - step) / (num_training_steps - num_warmup_steps)\n"
            ),
        ),
        (
            "off by one step",
            _lr(
                "    if step < num_warmup_steps:\n"
                "        return base_lr * step / num_warmup_steps\n"
                "    remaining = num_training_steps - step - 1\n"
                "    return base_lr * max(0.0, remaining / (num_training_steps - num_warmup_steps))\n"
            ),
        ),
        (
            "the decay over all steps, not the remaining ones",
            _lr(
                "    if step < num_warmup_steps:\n"
                "        return base_lr * step / num_warmup_steps\n"
                "    return base_lr * max(0.0, (num_training_steps - step) / num_training_steps)\n"
            ),
        ),
        ("the rates recorded in training (lrs)", _lr("    return lrs[step]\n")),
        (
            "a scheduler built to read the rate from",
            _lr(
                "    parameter = torch.nn.Parameter(torch.zeros(1))\n"
                "    opt = torch.optim.SGD([parameter], lr=base_lr)\n"
                '    sched = get_scheduler("linear", optimizer=opt, num_warmup_steps=num_warmup_steps,\n'
                "                          num_training_steps=num_training_steps)\n"
                "    for _ in range(step):\n"
                "        opt.step()\n"
                "        sched.step()\n"
                "    return sched.get_last_lr()[0]\n"
            ),
        ),
    ],
    "loop_predict_solution": [
        ("no model.eval()", _predict(model_mode="pass")),
        ("gradients on", _predict(grad="torch.enable_grad()")),
        ("only the last batch kept", _predict(keep="all_predictions = [predictions.cpu().numpy()]")),
        ("logits, not classes", _predict(output="logits.detach()")),
        ("the notebook's eval_dataloader, not the argument", _predict(loader="eval_dataloader")),
        (
            "the course's reference in place of the work",
            "from course.checks.training_loop import reference_predict as predict\n",
        ),
    ],
    "try_fine_tune_sst2_solution": [
        ("the model left in evaluation mode", _fine_tune(train_mode="pass")),
        (
            "max_length ignored (truncated at the tokenizer's own limit)",
            _fine_tune(truncation="truncation=True"),
        ),
        ("the course's learning rate, not the argument", _fine_tune(lr="5e-5")),
        ("no scheduler.step()", _fine_tune(schedule="pass")),
        ("batches of 8 whatever batch_size says", _fine_tune(batch="8")),
        (
            "the notebook's data_collator (bert-base-uncased pads with 0)",
            _fine_tune(collator="data_collator"),
        ),
        unanswered(
            "fine_tune_sst2(model, tokenizer, raw_train, batch_size=32, learning_rate=1e-4, num_epochs=1, "
            "max_length=64)"
        ),
    ],
    "loop_accelerate_solution": [
        ("loss.backward(), not accelerator.backward", _accelerate(backward="loss.backward()")),
        (
            "the dataloader not prepared",
            _accelerate(prepare="model, optimizer = accelerator.prepare(model, optimizer)"),
        ),
        ("no optimizer.zero_grad()", _accelerate(zero="pass")),
        ("the model left in evaluation mode", _accelerate(train_mode="pass")),
        unanswered("accelerate_train(accelerator, model, optimizer, train_dataloader, num_epochs)"),
    ],
}


exercises, test_wrong_answers_fail_both_the_self_check_and_the_tests, test_the_untouched_student_notebook = (
    exercise_tests(NAME, ANSWERS)
)
