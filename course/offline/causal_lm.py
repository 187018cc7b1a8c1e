"""The small causal language model that notebook 10 serves, built offline by `course prepare-offline`.

Chapter 2 section 8 serves SmolLM2-Instruct with TGI, vLLM or llama.cpp: GPU servers, Hub weights, GGUF
files, none of which this course can count on. The stand-in is a model of the same family, built here:
- a byte-level BPE tokenizer trained on the local GLUE sentences (SST-2 and MRPC), with SmolLM2's chat
  format (ChatML: `<|im_start|>role ... <|im_end|>`) as its chat template;
- a Llama-architecture causal LM (rotary positions, grouped-query attention: 4 query heads share 2
  key/value heads, as SmolLM2's 15 share 5), about 1.3 M parameters;
- trained from scratch for a fixed number of steps (seeded, 2 threads) on those sentences: plain text,
  and chat turns in which a user asks for a positive or a negative movie review and the assistant
  answers with an SST-2 sentence of that label.
So it writes review-like phrases, in the chat format, and nothing more: no knowledge, no instructions.
Its config records what it is (`course_standin`); `standin.json` records the recipe, the validation
loss beside a unigram baseline's, and the build time.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

RECIPE_VERSION = 1
MODEL_ID = "course/sst2-review-lm"  # the name the course's server reports; not a Hub repository
SPECIAL_TOKENS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|pad|>")
CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
SYSTEM_PROMPTS = ("You write short movie reviews.", "You are a helpful assistant.")
REQUESTS = {
    1: ("Write a positive movie review.", "Review a film you liked.", "Tell me about a good movie."),
    0: ("Write a negative movie review.", "Review a film you disliked.", "Tell me about a bad movie."),
}


@dataclass
class Recipe:
    """What the stand-in is and how it is trained (recorded next to the weights)."""

    vocab_size: int = 2048
    hidden_size: int = 128
    intermediate_size: int = 384
    layers: int = 4
    heads: int = 4
    kv_heads: int = 2
    max_positions: int = 512
    block: int = 64  # tokens per training row
    batch_size: int = 32
    steps: int = 200
    learning_rate: float = 3e-3
    warmup_steps: int = 20
    min_words: int = 5  # SST-2 phrases shorter than this are left out
    seed: int = 42
    # one thread: the same arithmetic (so the same weights) on every machine, and no threads fighting
    # for the cores of a busy machine (measured here: 2 threads under load cost 15x the CPU time of 1)
    torch_threads: int = 1
    version: int = RECIPE_VERSION


def model_dir() -> Path:
    """Where `course prepare-offline` writes the causal LM stand-in (may not exist yet)."""
    from course.env import cache_dir

    return cache_dir() / f"causal-lm-v{RECIPE_VERSION}"


def meta() -> dict | None:
    """The recorded recipe and scores of the built stand-in, or None when it is not built."""
    path = model_dir() / "standin.json"
    return json.loads(path.read_text()) if path.is_file() else None


def record(recipe: Recipe, steps: int) -> dict:
    """What config.json records under `course_standin`, so that model.config tells the truth."""
    return {
        "stands_in_for": "the chat models served in chapter 2 section 8 "
        "(HuggingFaceTB/SmolLM2-360M-Instruct, "
        "SmolLM2-1.7B-Instruct)",
        "weights": f"{MODEL_ID}: trained from scratch by `course prepare-offline` for {steps} steps on the "
        "SST-2 and MRPC sentences",
        "matches": "a Llama-architecture causal LM with grouped-query attention and SmolLM2's chat format "
        "(ChatML); served through the same OpenAI-compatible API",
        "differs": f"{recipe.layers} layers of width {recipe.hidden_size}, a {recipe.vocab_size}-token "
        "vocabulary of its own: it writes review-like phrases, it does not follow instructions",
        "built_by": "course prepare-offline (no weights of this model exist on the Hub)",
    }


# --- data ------------------------------------------------------------------------------------------------


def _sentences(min_words: int) -> tuple[list[tuple[str, int]], list[str], list[str]]:
    """(SST-2 train sentences with labels, MRPC train sentences, SST-2 validation sentences)."""
    sst2 = _glue("sst2")
    reviews = [
        (text.strip(), int(label))
        for text, label in zip(sst2["train"]["sentence"], sst2["train"]["label"])
        if len(text.split()) >= min_words
    ]
    mrpc = _glue("mrpc")["train"]
    news = [s.strip() for s in list(mrpc["sentence1"]) + list(mrpc["sentence2"])]
    validation = [s.strip() for s in sst2["validation"]["sentence"]]
    return reviews, news, validation


def _glue(task: str):  # noqa: ANN202 - a DatasetDict
    """The local GLUE files ($COURSE_DATA_DIR); without them (Colab, online), the Hub's nyu-mll/glue."""
    from course.data import DataNotFoundError, load_glue_offline

    try:
        return load_glue_offline(task)
    except DataNotFoundError:
        from datasets import load_dataset

        return load_dataset("nyu-mll/glue", task)


def chat_turn(system: str, request: str, answer: str) -> str:
    """One training conversation in the chat template's format."""
    return (
        f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{request}<|im_end|>\n"
        f"<|im_start|>assistant\n{answer}<|im_end|>\n"
    )


def training_texts(reviews: list[tuple[str, int]], news: list[str], seed: int) -> list[str]:
    """Plain sentences (each ended by <|endoftext|>) and chat turns asking for a review, shuffled."""
    rng = random.Random(seed)
    texts = [f"{text}<|endoftext|>" for text, _ in reviews] + [f"{s}<|endoftext|>" for s in news]
    for text, label in reviews:
        texts.append(chat_turn(rng.choice(SYSTEM_PROMPTS), rng.choice(REQUESTS[label]), text))
    rng.shuffle(texts)
    return texts


def train_tokenizer(texts: list[str], vocab_size: int):
    """A byte-level BPE tokenizer (GPT-2's scheme) trained on `texts`, with the chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(texts, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
        pad_token="<|pad|>",
        unk_token=None,
        model_max_length=512,
        padding_side="right",
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def _blocks(tokenizer, texts: list[str], block: int, max_rows: int | None = None):  # noqa: ANN001, ANN202
    """The texts' ids in one stream, cut into rows of `block` + 1 tokens (inputs and shifted labels).

    With `max_rows`, only as many texts are tokenized as those rows need (the texts are shuffled already).
    """
    import torch

    stream: list[int] = []
    wanted = None if max_rows is None else max_rows * (block + 1)
    for start in range(0, len(texts), 4096):
        for ids in tokenizer(texts[start : start + 4096], add_special_tokens=False)["input_ids"]:
            stream += ids
        if wanted is not None and len(stream) >= wanted:
            stream = stream[:wanted]
            break
    rows = len(stream) // (block + 1)
    return torch.tensor(stream[: rows * (block + 1)]).view(rows, block + 1)


# --- the model -------------------------------------------------------------------------------------------


def new_model(recipe: Recipe, tokenizer):  # noqa: ANN001, ANN201 - a tokenizer; a LlamaForCausalLM
    """An untrained Llama-architecture causal LM of the recipe's size."""
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=recipe.hidden_size,
        intermediate_size=recipe.intermediate_size,
        num_hidden_layers=recipe.layers,
        num_attention_heads=recipe.heads,
        num_key_value_heads=recipe.kv_heads,
        max_position_embeddings=recipe.max_positions,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    return LlamaForCausalLM(config)


def _train(model, rows, recipe: Recipe, progress: bool) -> list[float]:  # noqa: ANN001 - torch objects
    """AdamW with warm-up and cosine decay over `recipe.steps` batches of rows; returns the losses."""
    import torch
    from tqdm.auto import tqdm
    from transformers import get_cosine_schedule_with_warmup

    generator = torch.Generator().manual_seed(recipe.seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe.learning_rate, weight_decay=0.01)
    schedule = get_cosine_schedule_with_warmup(optimizer, recipe.warmup_steps, recipe.steps)
    model.train()
    losses = []
    bar = tqdm(
        total=recipe.steps, desc="training the causal LM stand-in", disable=not progress, mininterval=2
    )
    order = torch.randperm(len(rows), generator=generator)
    for step in range(recipe.steps):  # each row once when there are steps x batch_size rows
        start = (step * recipe.batch_size) % max(1, len(rows) - recipe.batch_size + 1)
        batch = rows[order[start : start + recipe.batch_size]]
        loss = model(input_ids=batch[:, :-1], labels=batch[:, :-1]).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        losses.append(loss.item())
        bar.set_postfix(loss=f"{losses[-1]:.2f}", refresh=False)
        bar.update(1)
    bar.close()
    model.eval()
    return losses


def validation_scores(model, tokenizer, texts: list[str], train_rows) -> dict:  # noqa: ANN001
    """Mean token loss on `texts` against the unigram baseline (token frequencies of the training rows)."""
    import torch

    rows = _blocks(tokenizer, [f"{t}<|endoftext|>" for t in texts], 64)
    with torch.no_grad():
        loss = model(input_ids=rows[:, :-1], labels=rows[:, :-1]).loss.item()
    counts = torch.bincount(train_rows.flatten(), minlength=len(tokenizer)).double() + 1.0
    log_probs = (counts / counts.sum()).log()
    targets = rows[:, 1:-1].flatten()
    unigram = float(-log_probs[targets].mean())
    return {
        "validation_loss": round(loss, 3),
        "validation_perplexity": round(math.exp(loss), 1),
        "unigram_loss": round(unigram, 3),
        "unigram_perplexity": round(math.exp(unigram), 1),
        "validation_tokens": int(targets.numel()),
    }


def build(out_dir: Path, recipe: Recipe | None = None, progress: bool = True) -> dict:
    """Train the tokenizer and the model, save both to `out_dir`; returns the recorded metadata."""
    import torch

    from course.runtime import quiet_transformers, seed_everything

    quiet_transformers()
    recipe = recipe or Recipe()
    seed_everything(recipe.seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(recipe.torch_threads)
    try:
        return _build(Path(out_dir), recipe, progress)
    finally:
        torch.set_num_threads(threads)


def _build(out_dir: Path, recipe: Recipe, progress: bool) -> dict:
    started, cpu_started = time.perf_counter(), time.process_time()
    reviews, news, validation = _sentences(recipe.min_words)
    texts = training_texts(reviews, news, recipe.seed)
    tokenizer = train_tokenizer(texts, recipe.vocab_size)
    rows = _blocks(tokenizer, texts, recipe.block, max_rows=recipe.steps * recipe.batch_size)
    model = new_model(recipe, tokenizer)
    losses = _train(model, rows, recipe, progress)
    model.config.course_standin = record(recipe, recipe.steps)
    model.generation_config.eos_token_id = [
        tokenizer.eos_token_id,
        tokenizer.convert_tokens_to_ids("<|endoftext|>"),
    ]
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    info = {
        "model_id": MODEL_ID,
        "recipe": asdict(recipe),
        "parameters": sum(p.numel() for p in model.parameters()),
        "training_rows": len(rows),
        "tokens_seen": recipe.steps * recipe.batch_size * recipe.block,
        "first_loss": round(losses[0], 3),
        "last_loss": round(sum(losses[-10:]) / len(losses[-10:]), 3),
        **validation_scores(model, tokenizer, validation, rows),
        "build_seconds": round(time.perf_counter() - started, 1),
        "build_cpu_seconds": round(time.process_time() - cpu_started, 1),
    }
    (out_dir / "standin.json").write_text(json.dumps(info, indent=2))
    return info


def prepare(force: bool = False, progress: bool = True) -> dict:
    """Build the stand-in once per machine (idempotent, atomic); returns its metadata."""
    target = model_dir()
    found = meta()
    if found is not None and not force:
        return found
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="building-lm-", dir=target.parent))
    try:
        info = build(scratch, progress=progress)
        if target.exists():
            shutil.rmtree(target)
        scratch.rename(target)  # a half-built stand-in is never picked up
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return info


def ensure(progress: bool = True) -> Path:
    """The stand-in's folder, built first when missing (about a minute on 2 cores)."""
    if meta() is None:
        print("[course] building the causal LM stand-in once (`course prepare-offline` does the same)")
        prepare(progress=progress)
    return model_dir()


def summarize(info: dict) -> str:
    """Lines for `course prepare-offline`: what was built, its loss beside the unigram baseline's."""
    return "\n".join(
        [
            f"causal LM stand-in ({info['model_id']}): {model_dir()}",
            f"  {info['parameters']:,} parameters, {info['recipe']['steps']} steps, "
            f"{info['tokens_seen']:,} tokens seen, built in {info['build_seconds']:.0f} s",
            f"  SST-2 validation loss {info['validation_loss']} "
            f"(perplexity {info['validation_perplexity']}); "
            f"a unigram model: {info['unigram_loss']} ({info['unigram_perplexity']})",
        ]
    )


def status_lines() -> list[str]:
    """What setup() says about the stand-in: one line once built, none before (notebook 10 builds it)."""
    info = meta()
    if info is None:
        return []
    return [
        f"{MODEL_ID} (notebook 10's causal LM) -> stand-in: a {info['parameters']:,}-parameter Llama-style "
        f"model trained here on SST-2/MRPC sentences; stands in for SmolLM2-Instruct, differs: it only "
        "writes "
        "review-like phrases"
    ]
