"""10_optimized_inference: plausible wrong answers fail both the self-check and the graded tests (issue #19).

The notebook runs once (module fixture); at each exercise every wrong answer below replaces the solution
cell, followed by the exercise's self-check and graded test cells (tests/exercise_harness.py). Each wrong
answer is a mistake a message of course.checks.inference names, or a ready-made answer in place of the work
(the notebook's own client, the course's measuring helpers).
"""

from __future__ import annotations

import pytest
from exercise_harness import define, exercise_tests, unanswered, variants

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

NAME = "chapter2/10_optimized_inference.ipynb"

RIGHT_CHAT = """\
def chat(client, model, system, question, max_tokens=40):
    stream = {call}(
        model=model,
        messages={messages},
        {limit}stream={stream},
    )
    {collect}
"""
STREAMED = """pieces = []
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
    return {join}(pieces)"""

_chat = variants(
    RIGHT_CHAT,
    call="client.chat.completions.create",
    messages='[{"role": "system", "content": system}, {"role": "user", "content": question}]',
    limit="max_tokens=max_tokens, ",
    stream="True",
    collect=STREAMED.format(join='"".join'),
)

_kv = define("kv_cache_bytes", "config, batch_size, sequence_length, bytes_per_value")
KV_HEAD = """    heads = config.num_attention_heads
    kv_heads = getattr(config, "num_key_value_heads", None) or heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
"""

_pad = define("left_padded_batch", "prompts, tokenizer")

RIGHT_TPS = """\
def measure_generation(model, inputs, max_new_tokens):
    start = {clock}()
    output = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False)
    seconds = {clock}() - start
    rows, length = output.shape
    new_tokens = int({count})
    return {{"new_tokens": new_tokens, "seconds": seconds, "tokens_per_second": {rate}}}
"""
_tps = variants(
    RIGHT_TPS,
    clock="time.perf_counter",
    count='rows * (length - inputs["input_ids"].shape[1])',
    rate="new_tokens / seconds",
)


ANSWERS = {
    "ex1_chat_solution": [
        unanswered("chat(client, model, system, question, max_tokens=40)"),
        ("not streamed", _chat(stream="False", collect="return stream.choices[0].message.content")),
        ("no system message", _chat(messages='[{"role": "user", "content": question}]')),
        (
            "the system text sent as the user's",
            _chat(messages='[{"role": "user", "content": system + " " + question}]'),
        ),
        ("max_tokens not passed on", _chat(limit="")),
        ("pieces joined with spaces", _chat(collect=STREAMED.format(join='" ".join'))),
        (
            "the notebook's client, not the argument",
            "def chat(given_client, model, system, question, max_tokens=40):\n"
            "    messages = [{'role': 'system', 'content': system}, {'role': 'user', 'content': question}]\n"
            "    stream = client.chat.completions.create(\n"
            "        model=model, messages=messages, max_tokens=max_tokens, stream=True\n"
            "    )\n"
            "    return ''.join(c.choices[0].delta.content or '' for c in stream if c.choices)\n",
        ),
        ("InferenceClient's own spelling only", _chat(call="client.chat_completion")),
    ],
    "ex2_kv_cache_solution": [
        unanswered("kv_cache_bytes(config, batch_size, sequence_length, bytes_per_value)"),
        (
            "keys only (no factor 2)",
            _kv(
                KV_HEAD + "    return config.num_hidden_layers * kv_heads * head_dim * "
                "bytes_per_value * batch_size * sequence_length\n"
            ),
        ),
        (
            "every attention head cached (GQA ignored)",
            _kv(
                KV_HEAD + "    return 2 * config.num_hidden_layers * heads * head_dim * bytes_per_value * "
                "batch_size * sequence_length\n"
            ),
        ),
        (
            "head size from hidden_size always",
            _kv(
                KV_HEAD
                + "    return 2 * config.num_hidden_layers * kv_heads * (config.hidden_size // heads) * "
                "bytes_per_value * batch_size * sequence_length\n"
            ),
        ),
        (
            "one sequence, whatever the batch",
            _kv(
                KV_HEAD + "    return 2 * config.num_hidden_layers * kv_heads * head_dim * bytes_per_value * "
                "sequence_length\n"
            ),
        ),
        (
            "float32 assumed (bytes_per_value ignored)",
            _kv(
                KV_HEAD + "    return 2 * config.num_hidden_layers * kv_heads * head_dim * 4 * batch_size * "
                "sequence_length\n"
            ),
        ),
    ],
    "ex3_left_padding_solution": [
        unanswered("left_padded_batch(prompts, tokenizer)"),
        (
            "the default (right) padding",
            _pad('    return tokenizer(prompts, padding=True, return_tensors="pt")\n'),
        ),
        (
            "no fallback for a tokenizer without a pad token",
            _pad('    return tokenizer(prompts, padding=True, padding_side="left", return_tensors="pt")\n'),
        ),
        (
            "padded by hand with 0",
            _pad(
                "    import torch\n"
                "    rows = [tokenizer(p)['input_ids'] for p in prompts]\n"
                "    width = max(len(r) for r in rows)\n"
                "    ids = torch.tensor([[0] * (width - len(r)) + r for r in rows])\n"
                "    mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows])\n"
                "    return {'input_ids': ids, 'attention_mask': mask}\n"
            ),
        ),
        (
            "NumPy arrays",
            _pad(
                "    if tokenizer.pad_token is None:\n"
                "        tokenizer.pad_token = tokenizer.eos_token\n"
                '    return tokenizer(prompts, padding=True, padding_side="left", return_tensors="np")\n'
            ),
        ),
    ],
    "ex4_tokens_per_second_solution": [
        unanswered("measure_generation(model, inputs, max_new_tokens)"),
        ("the prompt counted too", _tps(count="rows * length")),
        ("one row counted", _tps(count='length - inputs["input_ids"].shape[1]')),
        ("CPU time, not wall-clock time", _tps(clock="time.process_time")),
        ("seconds per token", _tps(rate="seconds / new_tokens")),
        (
            "the course's timing helper",
            "from course.inference.measure import timed_generate\n\n\n"
            "def measure_generation(model, inputs, max_new_tokens):\n"
            "    output, seconds, _ = timed_generate(model, inputs, max_new_tokens)\n"
            "    n = int(output.shape[0] * (output.shape[1] - inputs['input_ids'].shape[1]))\n"
            "    return {'new_tokens': n, 'seconds': seconds, 'tokens_per_second': n / seconds}\n",
        ),
    ],
}


exercises, test_wrong_answers_fail_both_the_self_check_and_the_tests, test_the_untouched_student_notebook = (
    exercise_tests(NAME, ANSWERS)
)
