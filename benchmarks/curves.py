"""The four runs of notebook 11 (learning curves) under other seeds: does each still show its pattern?

    python benchmarks/curves.py [SEED ...] [--run NAME ...]   (default: seeds 42 43 44, every run; 42 is the
                                                              notebook's seed)

Each run is the notebook's configuration (SST-2 cut to 16 tokens, a seeded sample of 640 training rows and
128 validation sentences, the course's Trainer calls); the seed draws the samples and the training order and
initialises the classification head. Prints, per seed and run, the course's diagnosis with its numbers, the
final validation accuracy beside the majority baseline, and the CPU seconds of the run (one thread).
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
import time

RUNS = {  # name -> train_run's arguments in the notebook
    "healthy": {"train_size": 640, "learning_rate": 1.5e-4},
    "overfitting": {
        "train_size": 32,
        "learning_rate": 2e-4,
        "epochs": 10,
        "batch_size": 8,
        "eval_steps": 4,
        "logging_steps": 2,
        "eval_on_start": True,
    },
    "underfitting": {"train_size": 640, "learning_rate": 5e-5, "freeze_body": True},
    "erratic": {
        "train_size": 120,
        "learning_rate": 5e-3,
        "batch_size": 4,
        "eval_steps": 6,
        "logging_steps": 2,
    },
}


def _data(seed: int):
    from datasets import load_dataset
    from transformers import AutoTokenizer

    raw = load_dataset("glue", "sst2")
    tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")

    def tokenize(batch):
        return tokenizer(batch["sentence"], truncation=True, max_length=16)

    train = raw["train"].shuffle(seed=seed).select(range(640)).map(tokenize, batched=True)
    validation = raw["validation"].shuffle(seed=seed).select(range(128)).map(tokenize, batched=True)
    return tokenizer, train, validation


def run(name: str, seed: int, tokenizer, train, validation, folder: str) -> list[dict]:
    """One of the notebook's runs; returns its log history."""
    import numpy as np
    from transformers import (
        AutoModelForSequenceClassification,
        DataCollatorWithPadding,
        PrinterCallback,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    config = {"epochs": 1, "batch_size": 16, "eval_steps": 8, "logging_steps": 4, **RUNS[name]}
    set_seed(seed)
    model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased", num_labels=2)
    if config.get("freeze_body"):
        for parameter in model.base_model.parameters():
            parameter.requires_grad = False
    args = TrainingArguments(
        output_dir=f"{folder}/{name}",
        eval_strategy="steps",
        eval_steps=config["eval_steps"],
        eval_on_start=config.get("eval_on_start", False),
        logging_steps=config["logging_steps"],
        num_train_epochs=config["epochs"],
        learning_rate=config["learning_rate"],
        per_device_train_batch_size=config["batch_size"],
        per_device_eval_batch_size=128,
        save_strategy="no",
        report_to="none",
        seed=seed,
        disable_tqdm=True,
        dataloader_pin_memory=False,
    )

    def accuracy(prediction):
        return {"accuracy": float(np.mean(np.argmax(prediction.predictions, -1) == prediction.label_ids))}

    trainer = Trainer(
        model,
        args,
        train_dataset=train.select(range(config["train_size"])),
        eval_dataset=validation,
        data_collator=DataCollatorWithPadding(tokenizer),
        processing_class=tokenizer,
        compute_metrics=accuracy,
    )
    trainer.remove_callback(PrinterCallback)
    with contextlib.redirect_stdout(io.StringIO()):
        trainer.train()
    return trainer.state.log_history


def main(seeds: list[int], names: list[str]) -> int:
    """Print each run's verdict per seed; the exit status counts the runs that missed their pattern."""
    from course.offline import home

    home.activate(build_missing=False)
    import numpy as np
    import torch
    import transformers

    from course.viz.curves import describe_run, diagnose

    torch.set_num_threads(1)
    transformers.logging.set_verbosity_error()
    missed = 0
    for seed in seeds:
        tokenizer, train, validation = _data(seed)
        labels = np.array(validation["label"])
        baseline = float(max(np.mean(labels == 0), np.mean(labels == 1)))
        with tempfile.TemporaryDirectory() as folder:
            for name in names:
                started = time.process_time()
                history = run(name, seed, tokenizer, train, validation, folder)
                verdict = diagnose(history)
                missed += verdict != name
                print(f"seed {seed} | {describe_run(name, history, baseline)}")
                print(
                    f"  {'shows its pattern' if verdict == name else 'MISSED'}; "
                    f"{time.process_time() - started:.1f} s CPU"
                )
    return missed


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seeds", nargs="*", type=int, default=[42, 43, 44])
    parser.add_argument("--run", action="append", choices=sorted(RUNS), help="only these runs (repeatable)")
    options = parser.parse_args()
    sys.exit(main(options.seeds, options.run or list(RUNS)))
