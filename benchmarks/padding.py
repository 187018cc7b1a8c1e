"""Padding strategies on MRPC: fixed (128), dynamic, and length-grouped + dynamic, side by side.

For each strategy, in a fresh process (so peak memory is its own): padding efficiency over one epoch of
the Trainer's own train dataloader (real tokens / processed tokens), training samples/s over a fixed
number of steps, evaluation samples/s on the validation split, and peak resident memory. The speed-up
over fixed padding is printed next to its limit, the ratio of processed tokens.

    python benchmarks/padding.py [--steps 60] [--batch-size 16]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time

STRATEGIES = ("fixed", "dynamic", "grouped")


def measure(strategy: str, steps: int, batch_size: int, seed: int) -> dict:
    """Train `steps` steps and evaluate once with one padding strategy; return its figures."""
    import course

    course.setup(seed=seed, verbose=False)  # first: offline, it points the libraries at the stand-ins
    from datasets import load_dataset
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        Trainer,
        TrainingArguments,
        default_data_collator,
    )

    tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
    model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased", num_labels=2)
    raw = load_dataset("nyu-mll/glue", "mrpc")
    fixed = strategy == "fixed"
    pad = {"padding": "max_length"} if fixed else {}

    def tokenize(batch):
        return tokenizer(batch["sentence1"], batch["sentence2"], truncation=True, max_length=128, **pad)

    data = raw.map(tokenize, batched=True, remove_columns=["sentence1", "sentence2", "idx"])
    collator = default_data_collator if fixed else DataCollatorWithPadding(tokenizer)
    with tempfile.TemporaryDirectory() as output_dir:
        args = TrainingArguments(
            output_dir,
            per_device_train_batch_size=batch_size,
            per_device_eval_batch_size=batch_size,
            max_steps=steps,
            learning_rate=5e-5,
            save_strategy="no",
            report_to="none",
            disable_tqdm=True,
            seed=seed,
            train_sampling_strategy="group_by_length" if strategy == "grouped" else "random",
        )
        trainer = Trainer(
            model,
            args,
            train_dataset=data["train"],
            eval_dataset=data["validation"],
            data_collator=collator,
            processing_class=tokenizer,
        )
        real = processed = 0
        for batch in trainer.get_train_dataloader():
            real += int(batch["attention_mask"].sum())
            processed += batch["attention_mask"].numel()
        started = time.perf_counter()
        trainer.train()
        train_seconds = time.perf_counter() - started
        started = time.perf_counter()
        trainer.evaluate()
        eval_seconds = time.perf_counter() - started
    return {
        "strategy": strategy,
        "padding_efficiency": real / processed,
        "processed_tokens": processed,
        "train_samples_per_s": steps * batch_size / train_seconds,
        "eval_samples_per_s": len(data["validation"]) / eval_seconds,
        "peak_memory_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--only", choices=STRATEGIES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        print(json.dumps(measure(args.only, args.steps, args.batch_size, args.seed)))
        return
    rows = []
    for strategy in STRATEGIES:
        command = [
            sys.executable,
            __file__,
            "--only",
            strategy,
            "--steps",
            str(args.steps),
            "--batch-size",
            str(args.batch_size),
            "--seed",
            str(args.seed),
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        rows.append(json.loads(output.strip().splitlines()[-1]))
    base = rows[0]
    print(f"MRPC train, bert-base-uncased stand-in, batch {args.batch_size}, {args.steps} training steps\n")
    header = (
        f"{'strategy':<10}{'pad eff.':>9}{'train/s':>9}{'speed-up':>10}{'token ratio':>13}"
        f"{'eval/s':>9}{'eval x':>8}{'peak GB':>9}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        ratio = base["processed_tokens"] / row["processed_tokens"]
        speedup = row["train_samples_per_s"] / base["train_samples_per_s"]
        print(
            f"{row['strategy']:<10}{row['padding_efficiency']:>9.1%}{row['train_samples_per_s']:>9.1f}"
            f"{speedup:>9.2f}x{ratio:>12.2f}x{row['eval_samples_per_s']:>9.1f}"
            f"{row['eval_samples_per_s'] / base['eval_samples_per_s']:>7.2f}x{row['peak_memory_gb']:>9.2f}"
        )


if __name__ == "__main__":
    main()
