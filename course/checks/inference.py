"""Checks for chapter 2 section 8, "Optimized inference deployment" (notebook 10).

- `inference_chat`: `chat(client, model, system, question, max_tokens)` asks an OpenAI-compatible server
  through the client it is given, streaming. The check starts a server of its own (the notebook's model),
  so that a request sent elsewhere (the notebook's global client) does not count, and reads what the
  server received: the route, the messages, `max_tokens`, `stream`, the model name; then compares the
  returned text with what the server sent. Both clients are tried: `huggingface_hub.InferenceClient`
  and, when installed, `openai.OpenAI`.
- `inference_kv_cache`: `kv_cache_bytes(config, batch_size, sequence_length, bytes_per_value)` on configs
  with grouped-query attention, without `num_key_value_heads` (GPT-2's), with a `head_dim` of their own.
- `inference_left_padding`: `left_padded_batch(prompts, tokenizer)` on tokenizers whose pad id is not 0,
  and one without a padding token (pad with its end-of-sequence token).
- `inference_tokens_per_second`: `measure_generation(model, inputs, max_new_tokens)` on the notebook's
  model and on a slowed small model; `model.generate` is watched (calls, arguments, time, output).
The hidden tests use other prompts, configs, sizes and seeds, and the same helpers.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from course.checks.base import CheckResult, fail, not_a_function, register, success
from course.checks.shortcuts import own_work_of

own_work = own_work_of(
    "notebook 10",
    {
        "kv_cache_bytes": lambda: (
            _measure_functions("measured_kv_cache_bytes", "cache_tensors"),
            "kv_cache_bytes ran a model to measure its cache: compute the size from the config's numbers.",
        ),
        "measure_generation": lambda: (
            _measure_functions("timed_generate", "batching_throughput", "kv_cache_effect"),
            "measure_generation called the course's own timing helpers: time model.generate yourself.",
        ),
    },
)


def _measure_functions(*names: str) -> list[Callable]:
    from course.inference import measure

    return [getattr(measure, name) for name in names]


# --- objects of the checks' own ------------------------------------------------------------------------


def standin() -> tuple[Any, Any]:
    """(model, tokenizer) of the causal LM stand-in, loaded afresh (built first if missing)."""
    import contextlib
    import io

    from transformers import AutoModelForCausalLM, AutoTokenizer

    from course.offline.causal_lm import ensure

    with contextlib.redirect_stdout(io.StringIO()):
        path = ensure(progress=False)
        return AutoModelForCausalLM.from_pretrained(path).eval(), AutoTokenizer.from_pretrained(path)


def other_causal_lm(
    seed: int, layers: int = 2, hidden: int = 64, heads: int = 4, kv_heads: int = 2, vocab: int = 300
):
    """A small random Llama-architecture causal LM (no end-of-sequence token: it never stops early)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=vocab,
        hidden_size=hidden,
        intermediate_size=2 * hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=kv_heads,
        max_position_embeddings=256,
        pad_token_id=0,
        bos_token_id=None,
        eos_token_id=None,
    )
    model = LlamaForCausalLM(config).eval()
    model.generation_config.eos_token_id = None
    model.generation_config.pad_token_id = 0
    return model


def slowed(model, seconds: float):  # noqa: ANN001, ANN201 - a torch module
    """`model` with a pause before every forward pass (so that CPU time and wall time differ)."""

    def pause(module, args):  # noqa: ANN001, ANN202
        time.sleep(seconds)

    model.register_forward_pre_hook(pause)
    return model


def without_pad_token(tokenizer):  # noqa: ANN001, ANN201
    """A copy of `tokenizer` with no padding token (as GPT-2's tokenizer comes)."""
    copied = copy.deepcopy(tokenizer)
    copied.pad_token = None
    return copied


def expected_left_padding(prompts: list[str], tokenizer) -> Any:  # noqa: ANN001
    """The reference batch: the tokenizer's own padding on the left (its eos token when it has no pad)."""
    tokenizer = copy.deepcopy(tokenizer)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer(list(prompts), padding=True, padding_side="left", return_tensors="pt")


def kv_cache_reference(config: Any, batch_size: int, sequence_length: int, bytes_per_value: int) -> int:
    """2 (keys and values) x layers x batch x positions x key/value heads x head size x bytes."""
    heads = config.num_attention_heads
    kv_heads = getattr(config, "num_key_value_heads", None) or heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
    return 2 * config.num_hidden_layers * batch_size * sequence_length * kv_heads * head_dim * bytes_per_value


# --- exercise 1: chat through an OpenAI-compatible client ----------------------------------------------

CHAT_CASES = (
    ("You are a film critic.", "Write a positive movie review.", 9),
    ("Answer in one short line.", "What did you think of the ending?", 5),
)


def client_makers() -> list[tuple[str, Callable[[str], Any]]]:
    """(name, maker from a base URL) of the OpenAI-compatible clients installed here: `openai.OpenAI` first
    (when installed: its create() accepts no argument it does not know), then `InferenceClient`."""
    from huggingface_hub import InferenceClient

    makers: list[tuple[str, Callable[[str], Any]]] = []
    try:
        from openai import OpenAI
    except ImportError:
        pass
    else:
        makers.append(
            (
                "openai.OpenAI",
                lambda url: OpenAI(base_url=url, api_key="not-needed", timeout=60, max_retries=0),
            )
        )
    makers.append(("huggingface_hub.InferenceClient", lambda url: InferenceClient(base_url=url, timeout=60)))
    return makers


@contextmanager
def fresh_server(model, tokenizer, model_id: str) -> Iterator[Any]:  # noqa: ANN001
    """A server of the check's own (same model), so that only requests sent to it count."""
    from course.inference.server import serve

    server = serve(model, tokenizer, model_id=model_id)
    try:
        yield server
    finally:
        server.stop()


def _chat_request_problem(
    new: list, system: str, question: str, max_tokens: int, model: str
) -> CheckResult | None:
    if not new:
        return fail(
            "no request reached the server the client points at: send the chat through the `client` argument "
            "(a notebook-wide client talks to another server)."
        )
    if len(new) > 1:
        return fail(f"chat sent {len(new)} requests for one question: send one chat completion request.")
    record = new[0]
    if record.path != "/v1/chat/completions":
        return fail(
            f"the request went to {record.path}, not to /v1/chat/completions: use the client's chat "
            "completion "
            "API (text_generation and completions take a raw prompt, without the chat template)."
        )
    messages = record.body.get("messages")
    wanted = [{"role": "system", "content": system}, {"role": "user", "content": question}]
    if messages != wanted:
        return fail(
            f"the server received the messages {messages!r}; it should get two: the system message with "
            "`system`, then the user's `question` (roles 'system' and 'user')."
        )
    sent = record.body.get("max_tokens", record.body.get("max_completion_tokens"))
    if sent != max_tokens:
        return fail(f"max_tokens was {sent!r}, not the {max_tokens} given: pass max_tokens=max_tokens.")
    if record.body.get("stream") is not True:
        return fail("the answer was not streamed: ask for stream=True and join the pieces as they arrive.")
    if record.body.get("model") != model:
        return fail(
            f"the request named the model {record.body.get('model')!r}, not {model!r}: pass model=model."
        )
    return None


def _chat_reply_problem(reply: Any, record: Any) -> CheckResult | None:
    if not isinstance(reply, str):
        return fail(
            f"chat returned a {type(reply).__name__}: return the answer as one string (join the pieces of "
            "the stream: the delta content of each chunk's first choice, skipping None)."
        )
    if reply != record.reply:
        return fail(
            f"chat returned {reply!r}, the server streamed {record.reply!r}: join every piece in order, "
            "unchanged (no strip, no separator)."
        )
    return None


def _call_chat(chat: Callable, client: Any, kind: str, args: tuple) -> tuple[Any, CheckResult | None]:
    try:
        return chat(client, *args), None
    except AttributeError as error:
        return None, fail(
            f"with {kind} your code raised AttributeError: {error}. Use the call both clients share: the "
            "create method of client.chat.completions."
        )
    except TypeError as error:
        return None, fail(
            f"with {kind} your code raised TypeError: {error}; check the arguments of the call."
        )


@register(
    "inference_chat",
    hints=(
        "Section 2 of the notebook (querying the server): the chat call with the system and user messages, "
        "and the streaming loop.",
        "the create method of client.chat.completions, with model, messages, max_tokens and stream switched "
        "on; the new text of each chunk sits in the delta of its first choice",
    ),
)
def check_chat(chat: Callable, server: Any = None) -> CheckResult:
    """`chat(client, model, system, question, max_tokens)` -> the streamed answer; judged on the server's log.

    `server`: the notebook's (its model and tokenizer serve the check's own server); None: the stand-in's.
    """
    model, tokenizer = (server.model, server.tokenizer) if server is not None else standin()
    problem = not_a_function("chat", chat, "(client, model, system, question, max_tokens)")
    if problem is not None:
        return problem
    tried = []
    for kind, make in client_makers():
        model_id = f"check-model-{len(tried) + 1}"
        with fresh_server(model, tokenizer, model_id) as fresh:
            client = make(fresh.base_url)
            for system, question, max_tokens in CHAT_CASES:
                before = len(fresh.requests)
                reply, problem = _call_chat(chat, client, kind, (model_id, system, question, max_tokens))
                if problem is not None:
                    return problem
                new = fresh.requests[before:]
                problem = _chat_request_problem(new, system, question, max_tokens, model_id)
                if problem is None:  # (a failing CheckResult is falsy: no `or` here)
                    problem = _chat_reply_problem(reply, new[0])
                if problem is not None:
                    problem.message = f"with {kind}: {problem.message}"
                    return problem
        tried.append(kind)
    return success(
        "one streamed chat request per question, with the system and user messages, max_tokens and the "
        f"model "
        f"name, and the answer joined exactly as streamed ({' and '.join(tried)})."
    )


# --- exercise 2: the KV cache's size from a config -------------------------------------------------------


def kv_configs() -> list[tuple[str, Any, int, int, int]]:
    """(what, config, batch, positions, bytes per value) for the check: each class of config the hidden
    tests use, with other numbers."""
    from transformers import GPT2Config, LlamaConfig

    gqa = LlamaConfig(hidden_size=2048, num_hidden_layers=16, num_attention_heads=32, num_key_value_heads=4)
    mha = LlamaConfig(hidden_size=512, num_hidden_layers=6, num_attention_heads=8, num_key_value_heads=8)
    own_head = LlamaConfig(
        hidden_size=1024, num_hidden_layers=12, num_attention_heads=8, num_key_value_heads=2, head_dim=256
    )
    gpt2 = GPT2Config(n_embd=768, n_layer=12, n_head=12)
    return [
        ("a grouped-query config (32 query heads, 4 key/value heads), bf16", gqa, 4, 1000, 2),
        ("a config whose key/value heads are all heads, fp32", mha, 2, 300, 4),
        ("a config with its own head_dim (256, not hidden_size // heads = 128), fp16", own_head, 3, 128, 2),
        ("GPT-2's config (no num_key_value_heads)", gpt2, 1, 1024, 4),
    ]


def _changed(config: Any, **values: int) -> Any:
    changed = copy.deepcopy(config)
    for name, value in values.items():
        setattr(changed, name, value)
    return changed


def _kv_diagnosis(kv_cache_bytes: Callable, case: tuple, value: int) -> str:
    """What the wrong `value` misses, found by changing one input at a time and seeing the answer not move."""
    config, batch, length, nbytes = case
    heads = config.num_attention_heads
    own_head = getattr(config, "head_dim", None)
    probes = [
        (
            (config, 2 * batch, length, nbytes),
            "one sequence's cache: every sequence of the batch has its own.",
        ),
        (
            (config, batch, 2 * length, nbytes),
            "the cache grows with every position: multiply by sequence_length.",
        ),
        (
            (config, batch, length, 2 * nbytes),
            "a count of numbers, not of bytes: multiply by bytes_per_value.",
        ),
        (
            (_changed(config, num_hidden_layers=2 * config.num_hidden_layers), batch, length, nbytes),
            "one layer's cache: every layer (num_hidden_layers) keeps its own.",
        ),
    ]
    kv_heads = getattr(config, "num_key_value_heads", None)
    if kv_heads and kv_heads != heads:
        probes.append(
            (
                (_changed(config, num_key_value_heads=heads), batch, length, nbytes),
                "every attention head counted: with grouped-query attention only num_key_value_heads heads "
                "are cached.",
            )
        )
    if own_head and own_head != config.hidden_size // heads:
        probes.append(
            (
                (_changed(config, head_dim=2 * own_head), batch, length, nbytes),
                "the head size is config.head_dim when the config sets one, not hidden_size // "
                "num_attention_heads.",
            )
        )
    for args, message in probes:
        with own_work("kv_cache_bytes"):
            if kv_cache_bytes(*args) == value:
                return message
    if value * 2 == kv_cache_reference(*case):
        return "half the size: every layer caches keys AND values (a factor 2)."
    return (
        "not the size of the cache: keys and values, per layer, per sequence, per position, per key/value "
        "head."
    )


@register(
    "inference_kv_cache",
    hints=(
        "Section 3 (the KV cache): what one layer keeps per position, and the measured cache of the stand-in "
        "(its tensors' shapes: batch, key/value heads, positions, head size).",
        "the config's num_hidden_layers, num_key_value_heads (missing: num_attention_heads), head_dim "
        "(missing: hidden_size // num_attention_heads)",
    ),
)
def check_kv_cache(kv_cache_bytes: Callable, model: Any = None) -> CheckResult:
    """`kv_cache_bytes(config, batch_size, sequence_length, bytes_per_value)` -> int bytes (model: the
    notebook's,
    None: the stand-in)."""
    import torch

    model = model if model is not None else standin()[0]
    problem = not_a_function(
        "kv_cache_bytes", kv_cache_bytes, "(config, batch_size, sequence_length, bytes_per_value)"
    )
    if problem is not None:
        return problem
    from course.inference.measure import measured_kv_cache_bytes

    measured = measured_kv_cache_bytes(model, torch.zeros((2, 40), dtype=torch.long))["bytes"]
    nbytes = next(model.parameters()).element_size()
    cases = [("the notebook's model, 2 sequences of 40 positions", model.config, 2, 40, nbytes, measured)]
    cases += [(*case, kv_cache_reference(*case[1:])) for case in kv_configs()]
    for what, config, batch, length, per_value, right in cases:
        with own_work("kv_cache_bytes"):
            value = kv_cache_bytes(copy.deepcopy(config), batch, length, per_value)
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value == right:
                return fail(f"{what}: return an int (a number of bytes), not a float.")
            if not isinstance(value, (int, float)):
                return fail(
                    f"{what}: kv_cache_bytes returned a {type(value).__name__}: return an int of bytes."
                )
        if value != right:
            return fail(
                f"{what}: {value:,} bytes; "
                + _kv_diagnosis(kv_cache_bytes, (copy.deepcopy(config), batch, length, per_value), value)
            )
    return success(
        f"the size matches the measured cache of the notebook's model and {len(cases) - 1} other configs "
        "(grouped-query attention, GPT-2's names, a head_dim of its own)."
    )


# --- exercise 3: left padding for generation -------------------------------------------------------------

PADDING_PROMPTS = (
    "a quiet , tender film",
    "the plot",
    "it is , by any measure , one of the longest films of the year",
)


def padding_tokenizers(tokenizer: Any) -> list[tuple[str, Any]]:
    """The notebook's tokenizer, one with other ids and [CLS]/[SEP] framing, one without a padding token."""
    from course.checks.other_objects import other_wordpiece

    wordpiece = other_wordpiece(["quiet", "tender", "plot", "measure", "film"])
    return [
        (f"the notebook's tokenizer (pad id {tokenizer.pad_token_id})", copy.deepcopy(tokenizer)),
        (f"a WordPiece tokenizer (pad id {wordpiece.pad_token_id})", wordpiece),
        ("a tokenizer without a padding token", without_pad_token(tokenizer)),
    ]


def _padding_problem(batch: Any, expected: Any, tokenizer: Any, what: str) -> CheckResult | None:
    import torch

    if not hasattr(batch, "keys") or "input_ids" not in batch or "attention_mask" not in batch:
        return fail(f"{what}: return the tokenizer's batch, with input_ids and attention_mask.")
    ids, mask = batch["input_ids"], batch["attention_mask"]
    if not isinstance(ids, torch.Tensor) or not isinstance(mask, torch.Tensor):
        return fail(
            f'{what}: input_ids is a {type(ids).__name__}: ask for PyTorch tensors (return_tensors="pt").'
        )
    want = expected["input_ids"]
    if ids.shape != want.shape:
        return fail(
            f"{what}: the batch is {list(ids.shape)}, padded to the longest prompt it is {list(want.shape)}."
        )
    if torch.equal(ids, want) and torch.equal(
        mask.to(expected["attention_mask"].dtype), expected["attention_mask"]
    ):
        return None
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    if bool((mask[:, -1] == 0).any()) or bool((ids[:, -1] == pad).any() and (want[:, -1] != pad).all()):
        return fail(
            f"{what}: the padding is on the right: generate continues from the last position, so each row "
            "must "
            "end with its own last token; pad on the left."
        )
    if not torch.equal(mask.to(expected["attention_mask"].dtype), expected["attention_mask"]):
        return fail(f"{what}: the attention mask is not 0 on the padding and 1 on the tokens.")
    return fail(
        f"{what}: the ids differ from the tokenizer's left-padded batch (row 0: {ids[0].tolist()} against "
        f"{want[0].tolist()}): pad with the tokenizer's own pad token, and use the tokenizer given."
    )


@register(
    "inference_left_padding",
    hints=(
        "Section 4 (batching): where the padding goes for a decoder, and what generate does with the last "
        "position of each row.",
        "the tokenizer's padding_side option ('left'), padding=True, return_tensors='pt'; without a pad "
        "token, make the eos token the tokenizer's pad token",
    ),
)
def check_left_padding(left_padded_batch: Callable, tokenizer: Any = None) -> CheckResult:
    """`left_padded_batch(prompts, tokenizer)` -> the tokenizer's batch padded on the left, as tensors."""
    tokenizer = tokenizer if tokenizer is not None else standin()[1]
    problem = not_a_function("left_padded_batch", left_padded_batch, "(prompts, tokenizer)")
    if problem is not None:
        return problem
    for what, tok in padding_tokenizers(tokenizer):
        expected = expected_left_padding(list(PADDING_PROMPTS), tok)
        try:
            batch = left_padded_batch(list(PADDING_PROMPTS), tok)
        except ValueError as error:
            if "padding token" in str(error):
                return fail(
                    f"{what}: {str(error).split('.')[0]}: pad with its end-of-sequence token instead."
                )
            raise
        problem = _padding_problem(batch, expected, tok, what)
        if problem is not None:
            return problem
    return success(
        "left-padded batches with the tokenizer's own pad id (or its eos token when it has none), the "
        "attention "
        "mask 0 on the padding, PyTorch tensors."
    )


# --- exercise 4: tokens per second ----------------------------------------------------------------------


class GenerateWatch:
    """Wrap `model.generate` of one model: count the calls, note their arguments, time and output."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.calls: list[dict] = []

    def __enter__(self) -> GenerateWatch:
        original = self.model.generate

        def watched(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            output = original(*args, **kwargs)
            sequences = getattr(output, "sequences", output)
            self.calls.append(
                {"kwargs": kwargs, "seconds": time.perf_counter() - started, "shape": tuple(sequences.shape)}
            )
            return output

        self.model.generate = watched
        return self

    def __exit__(self, *exc: object) -> None:
        del self.model.generate  # the class's method again


def tps_cases(model: Any, tokenizer: Any) -> list[tuple[str, Any, Any, int]]:
    """(what, model, inputs, max_new_tokens): the notebook's model on 1 and 3 prompts, a slowed small
    model."""
    import torch

    one = tokenizer(["the film is"], return_tensors="pt")
    three = expected_left_padding(["a", "the best film of the year", "it is"], tokenizer)
    small = slowed(other_causal_lm(seed=3), 0.004)
    ids = torch.tensor([[5, 17, 42, 9], [8, 8, 3, 120]])
    return [
        ("the notebook's model, one prompt", model, one, 6),
        ("the notebook's model, a batch of 3", model, three, 5),
        (
            "a small model slowed to ~4 ms a step, a batch of 2",
            small,
            {"input_ids": ids, "attention_mask": torch.ones_like(ids)},
            7,
        ),
    ]


def _tps_problem(
    result: Any, watch: GenerateWatch, inputs: Any, n: int, call_seconds: float
) -> CheckResult | None:
    if len(watch.calls) != 1:
        return fail(f"model.generate was called {len(watch.calls)} times: time exactly one call.")
    call = watch.calls[0]
    if call["kwargs"].get("max_new_tokens") != n:
        return fail(
            f"generate got max_new_tokens={call['kwargs'].get('max_new_tokens')!r}, not {n}: pass it on."
        )
    if not isinstance(result, dict) or set(result) != {"new_tokens", "seconds", "tokens_per_second"}:
        return fail('return a dict with the keys "new_tokens", "seconds" and "tokens_per_second".')
    rows, length = call["shape"]
    prompt = int(inputs["input_ids"].shape[1])
    right = rows * (length - prompt)
    tokens, seconds, rate = result["new_tokens"], result["seconds"], result["tokens_per_second"]
    if tokens != right:
        if tokens == rows * length:
            return fail(
                f"new_tokens is {tokens}: that counts the prompt too; count what generate added ({right})."
            )
        if tokens == length - prompt:
            return fail(f"new_tokens is {tokens}: one row's; count the new tokens of every row ({right}).")
        return fail(
            f"new_tokens is {tokens}; generate added {length - prompt} tokens to each of {rows} rows."
        )
    if not isinstance(seconds, float) or not call["seconds"] - 1e-6 <= seconds <= call_seconds + 1e-6:
        return fail(
            f"seconds is {seconds!r}, but the generate call took {call['seconds']:.4f} s of wall-clock time: "
            "time.perf_counter() just before and just after the call."
        )
    if not isinstance(rate, float) or abs(rate * seconds - tokens) > 1e-6 * max(1, tokens):
        return fail(
            f"tokens_per_second is {rate!r}: it is new_tokens divided by seconds ({tokens / seconds:.2f})."
        )
    return None


@register(
    "inference_tokens_per_second",
    hints=(
        "Section 5 (tokens per second): which tokens count (not the prompt), and which clock measures "
        "waiting as well as computing.",
        "time.perf_counter() just before and just after one generate call (with max_new_tokens); the "
        "output's shape is (rows, prompt length + new tokens)",
    ),
)
def check_tokens_per_second(
    measure_generation: Callable, model: Any = None, tokenizer: Any = None
) -> CheckResult:
    """`measure_generation(model, inputs, max_new_tokens)` -> {new_tokens, seconds, tokens_per_second}."""
    if model is None or tokenizer is None:
        model, tokenizer = standin()
    problem = not_a_function("measure_generation", measure_generation, "(model, inputs, max_new_tokens)")
    if problem is not None:
        return problem
    for what, candidate, inputs, n in tps_cases(model, tokenizer):
        with GenerateWatch(candidate) as watch, own_work("measure_generation"):
            started = time.perf_counter()
            result = measure_generation(candidate, inputs, n)
            call_seconds = time.perf_counter() - started
        problem = _tps_problem(result, watch, inputs, n, call_seconds)
        if problem is not None:
            problem.message = f"{what}: {problem.message}"
            return problem
    return success(
        "one timed generate call per measurement, every row's new tokens counted, wall-clock seconds, and "
        "tokens per second = new tokens / seconds (3 cases, one of them a batch, one a slowed model)."
    )
