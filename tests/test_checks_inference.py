"""The checks of notebook 10 (optimized inference): right answers pass, realistic mistakes fail with advice.

The last test proves that every failure message of course.checks.inference is reached by one of them.
"""

from __future__ import annotations

import time

import pytest
import torch
from message_coverage import assert_every_failure_reached

import course.checks.inference
from course.checks import run_check
from course.checks.inference import kv_cache_reference


@pytest.fixture(scope="module")
def standin():
    from course.checks.inference import standin as load

    return load()


@pytest.fixture(scope="module")
def server(standin):
    from course.inference import serve

    model, tokenizer = standin
    running = serve(model, tokenizer, model_id="notebook-model")
    yield running
    running.stop()


def _message(result) -> str:
    assert not result.passed, result.message
    return result.message


# --- inference_chat --------------------------------------------------------------------------------------


def _chat(stream=True, system_role="system", join="".join, tokens_key="max_tokens", model_arg=True, extra=0):
    def chat(client, model, system, question, max_tokens=40):
        options = {tokens_key: max_tokens} if tokens_key else {}
        if model_arg:
            options["model"] = model
        messages = [{"role": system_role, "content": system}, {"role": "user", "content": question}]
        for _ in range(extra):
            client.chat.completions.create(model=model, messages=messages, max_tokens=1)
        answer = client.chat.completions.create(messages=messages, stream=stream, **options)
        if not stream:
            return answer.choices[0].message.content
        return join([c.choices[0].delta.content or "" for c in answer if c.choices])

    return chat


def _positional(
    client, model, system, question, max_tokens=40
):  # InferenceClient takes messages positionally
    messages = [{"role": "system", "content": system}, {"role": "user", "content": question}]
    stream = client.chat.completions.create(messages, model=model, max_tokens=max_tokens, stream=True)
    return "".join(c.choices[0].delta.content or "" for c in stream if c.choices)


def test_chat_right(server):
    result = run_check("inference_chat", _chat(), server)
    assert result.passed, result.message
    assert "openai.OpenAI" in result.message


def test_chat_with_the_stand_in_when_no_server_is_given():
    assert run_check("inference_chat", _chat()).passed


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (_chat(stream=False), "not streamed"),
        (_chat(system_role="user"), "two: the system message"),
        (_chat(tokens_key=None), "max_tokens was None"),
        (_chat(join=" ".join), "join every piece in order"),
        (_chat(join=list), "returned a list"),
        (_chat(extra=1), "2 requests"),
        (_chat(model_arg=False), "TypeError"),
        (_positional, "TypeError"),
    ],
)
def test_chat_mistakes(server, answer, words):
    assert words in _message(run_check("inference_chat", answer, server))


def test_chat_through_the_notebook_client_or_another_route(server, standin):
    from huggingface_hub import InferenceClient

    notebook_client = InferenceClient(base_url=server.base_url)

    def global_client(client, model, system, question, max_tokens=40):
        return _chat()(notebook_client, model, system, question, max_tokens)

    assert "no request reached the server" in _message(run_check("inference_chat", global_client, server))

    def hub_only(client, model, system, question, max_tokens=40):
        messages = [{"role": "system", "content": system}, {"role": "user", "content": question}]
        pieces = client.chat_completion(model=model, messages=messages, max_tokens=max_tokens, stream=True)
        return "".join(c.choices[0].delta.content or "" for c in pieces)

    message = _message(run_check("inference_chat", hub_only, server))
    assert "AttributeError" in message and "client.chat.completions" in message

    def raw_prompt(client, model, system, question, max_tokens=40):
        stream = client.completions.create(
            model=model, prompt=f"{system}\n{question}", max_tokens=max_tokens, stream=True
        )
        return "".join(c.choices[0].text for c in stream)

    message = _message(run_check("inference_chat", _hub_then(raw_prompt), server))
    assert "not to /v1/chat/completions" in message

    def wrong_model(client, model, system, question, max_tokens=40):
        return _chat()(client, "HuggingFaceTB/SmolLM2-360M-Instruct", system, question, max_tokens)

    assert "named the model" in _message(run_check("inference_chat", wrong_model, server))
    assert "expected your function chat" in _message(run_check("inference_chat", "not a function", server))


def _hub_then(openai_style):
    """InferenceClient has no `completions`: post a raw prompt to its TGI route instead."""

    def chat(client, model, system, question, max_tokens=40):
        if hasattr(client, "text_generation"):
            return "".join(
                client.text_generation(f"{system}\n{question}", max_new_tokens=max_tokens, stream=True)
            )
        return openai_style(client, model, system, question, max_tokens)

    return chat


# --- inference_kv_cache ----------------------------------------------------------------------------------


def _kv(factor=2, gqa=True, own_head=True, layers=True, batch=True, nbytes=True, kind=int, length=True):
    def kv_cache_bytes(config, batch_size, sequence_length, bytes_per_value):
        heads = config.num_attention_heads
        kv_heads = (getattr(config, "num_key_value_heads", None) or heads) if gqa else heads
        head_dim = (getattr(config, "head_dim", None) if own_head else None) or config.hidden_size // heads
        value = factor * kv_heads * head_dim * (sequence_length if length else 1)
        value *= config.num_hidden_layers if layers else 1
        value *= batch_size if batch else 1
        value *= bytes_per_value if nbytes else 1
        return kind(value)

    return kv_cache_bytes


def _kv_no_fallback(config, batch_size, sequence_length, bytes_per_value):  # GPT-2's config has no kv heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    per_position = 2 * config.num_hidden_layers * config.num_key_value_heads * head_dim * bytes_per_value
    return per_position * batch_size * sequence_length


def test_kv_right(standin):
    assert run_check("inference_kv_cache", _kv(), standin[0]).passed
    assert run_check("inference_kv_cache", _kv()).passed


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (_kv(factor=1), "keys AND values"),
        (_kv(gqa=False), "grouped-query attention"),
        (_kv(own_head=False), "config.head_dim"),
        (_kv(layers=False), "every layer"),
        (_kv(batch=False), "every sequence of the batch"),
        (_kv(nbytes=False), "multiply by bytes_per_value"),
        (_kv(kind=float), "return an int"),
        (_kv(kind=str), "returned a str"),
        (_kv(length=False), "multiply by sequence_length"),
        (_kv_no_fallback, "AttributeError"),
        (lambda c, b, n, p: kv_cache_reference(c, b, n, p) + 1, "not the size of the cache"),
    ],
)
def test_kv_mistakes(standin, answer, words):
    assert words in _message(run_check("inference_kv_cache", answer, standin[0]))


def test_kv_measuring_a_model_is_switched_off(standin):
    from course.inference.measure import measured_kv_cache_bytes

    def measured(config, batch_size, sequence_length, bytes_per_value):
        from transformers import AutoModelForCausalLM

        model = AutoModelForCausalLM.from_config(config)
        ids = torch.zeros((batch_size, sequence_length), dtype=torch.long)
        return measured_kv_cache_bytes(model, ids)["bytes"]

    assert "compute the size from the config" in _message(
        run_check("inference_kv_cache", measured, standin[0])
    )
    assert measured_kv_cache_bytes(standin[0], torch.zeros((1, 2), dtype=torch.long))["bytes"] > 0, "restored"


# --- inference_left_padding ------------------------------------------------------------------------------


def _pad(side="left", eos_fallback=True, tensors="pt", padding=True):
    def left_padded_batch(prompts, tokenizer):
        if eos_fallback and tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        return tokenizer(prompts, padding=padding, padding_side=side, return_tensors=tensors)

    return left_padded_batch


def _by_hand(pad_id=0, mask=True):
    def left_padded_batch(prompts, tokenizer):
        rows = [tokenizer(p)["input_ids"] for p in prompts]
        width = max(map(len, rows))
        ids = torch.tensor([[pad_id] * (width - len(r)) + r for r in rows])
        masks = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows])
        return {"input_ids": ids, "attention_mask": masks if mask else torch.ones_like(ids)}

    return left_padded_batch


def test_left_padding_right(standin):
    assert run_check("inference_left_padding", _pad(), standin[1]).passed
    assert run_check("inference_left_padding", _pad()).passed


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (_pad(side="right"), "the padding is on the right"),
        (_pad(eos_fallback=False), "pad with its end-of-sequence token"),
        (_pad(tensors="np"), "ask for PyTorch tensors"),
        (_pad(padding="max_length"), "padded to the longest prompt"),
        (_by_hand(pad_id=0), "pad with the tokenizer's own pad token"),
        (_by_hand(pad_id=3, mask=False), "attention mask is not 0 on the padding"),
        (
            lambda prompts, tokenizer: [tokenizer(p)["input_ids"] for p in prompts],
            "return the tokenizer's batch",
        ),
    ],
)
def test_left_padding_mistakes(standin, answer, words):
    assert words in _message(run_check("inference_left_padding", answer, standin[1]))


def test_left_padding_other_errors_are_reported(standin):
    def broken(prompts, tokenizer):
        raise ValueError("something else")

    assert "ValueError: something else" in _message(run_check("inference_left_padding", broken, standin[1]))


# --- inference_tokens_per_second -------------------------------------------------------------------------


def _tps(count="rows_new", clock=time.perf_counter, warmup=False, rate="per_second", keys=None, pass_n=True):
    def measure_generation(model, inputs, max_new_tokens):
        options = {"max_new_tokens": max_new_tokens} if pass_n else {}
        if warmup:
            model.generate(**inputs, max_new_tokens=1, do_sample=False)
        start = clock()
        output = model.generate(**inputs, do_sample=False, **options)
        seconds = clock() - start
        rows, length = output.shape
        prompt = inputs["input_ids"].shape[1]
        new_tokens = {
            "rows_new": rows * (length - prompt),
            "all": rows * length,
            "one_row": length - prompt,
            "rows": rows,
        }[count]
        value = {"per_second": new_tokens / seconds, "inverted": seconds / new_tokens}[rate]
        result = {"new_tokens": int(new_tokens), "seconds": seconds, "tokens_per_second": value}
        return {k: result[k] for k in (keys or result)}

    return measure_generation


def test_tps_right(standin):
    assert run_check("inference_tokens_per_second", _tps(), *standin).passed
    assert run_check("inference_tokens_per_second", _tps()).passed


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (_tps(count="all"), "counts the prompt too"),
        (_tps(count="one_row"), "one row's"),
        (_tps(count="rows"), "tokens to each of"),
        (_tps(clock=time.process_time), "wall-clock time"),
        (_tps(warmup=True), "called 2 times"),
        (_tps(rate="inverted"), "new_tokens divided by seconds"),
        (_tps(keys=("new_tokens", "seconds")), "return a dict"),
        (_tps(pass_n=False), "max_new_tokens=None"),
    ],
)
def test_tps_mistakes(standin, answer, words):
    assert words in _message(run_check("inference_tokens_per_second", answer, *standin))


def test_tps_course_helpers_are_switched_off(standin):
    from course.inference.measure import timed_generate

    def helper(model, inputs, max_new_tokens):
        output, seconds, _ = timed_generate(model, inputs, max_new_tokens)
        n = output.shape[0] * (output.shape[1] - inputs["input_ids"].shape[1])
        return {"new_tokens": int(n), "seconds": seconds, "tokens_per_second": n / seconds}

    assert "time model.generate yourself" in _message(
        run_check("inference_tokens_per_second", helper, *standin)
    )
    model, tokenizer = standin
    assert timed_generate(model, tokenizer(["a"], return_tensors="pt"), 2)[0].shape[1] >= 2, "restored"
    assert "generate" not in vars(model), "the watch is removed"


def test_every_failure_message_is_reached():
    assert_every_failure_reached(course.checks.inference)
