"""course.inference: the OpenAI-compatible server (routes, streaming, errors, offline loopback, the sandbox),
the measurements of notebook 10, and the causal LM stand-in's recipe.

The server runs the stand-in (`course prepare-offline` builds it; a missing one is built first).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import torch

from course.inference import measure
from course.inference.server import MAX_BODY_BYTES, MAX_TOKENS_CAP, cut_at_stop, serve
from course.offline import causal_lm

MESSAGES = [
    {"role": "system", "content": "You write short movie reviews."},
    {"role": "user", "content": "Write a positive movie review."},
]


@pytest.fixture(scope="module")
def standin():
    from course.checks.inference import standin as load

    return load()


@pytest.fixture(scope="module")
def server(standin):
    model, tokenizer = standin
    running = serve(model, tokenizer, model_id="test-model")
    yield running
    running.stop()


def _post(url: str, payload, raw: bytes | None = None) -> tuple[int, dict | str]:
    data = raw if raw is not None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read().decode()
            kind = response.headers.get("Content-Type", "")
            return response.status, json.loads(body) if "json" in kind else body
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode())


def _greedy(standin, prompt_ids: list[int], n: int) -> list[int]:
    model, tokenizer = standin
    with torch.no_grad():
        out = model.generate(
            torch.tensor([prompt_ids]), max_new_tokens=n, do_sample=False, pad_token_id=tokenizer.pad_token_id
        )
    return out[0, len(prompt_ids) :].tolist()


# --- routes ----------------------------------------------------------------------------------------------


def test_health_and_models(server):
    with urllib.request.urlopen(server.url + "/health", timeout=10) as response:
        assert json.loads(response.read()) == {"status": "ok"}
    with urllib.request.urlopen(server.base_url + "/models", timeout=10) as response:
        listed = json.loads(response.read())
    assert [m["id"] for m in listed["data"]] == ["test-model"]


def test_chat_completion_is_the_greedy_continuation_of_the_chat_template(server, standin):
    from huggingface_hub import InferenceClient

    client = InferenceClient(base_url=server.base_url, timeout=30)
    answer = client.chat_completion(messages=MESSAGES, max_tokens=12, temperature=0.0)
    record = server.requests[-1]
    assert record.path == "/v1/chat/completions" and record.body["messages"] == MESSAGES
    assert record.body["max_tokens"] == 12 and not record.stream
    prompt = server.chat_prompt(MESSAGES)
    new = _greedy(standin, prompt, 12)
    eos = set(standin[0].generation_config.eos_token_id)
    if eos & set(new):  # generation ends at the first end-of-sequence token
        new = new[: min(new.index(t) for t in eos & set(new)) + 1]
    assert answer.choices[0].message.content == standin[1].decode(new, skip_special_tokens=True)
    assert answer.usage.prompt_tokens == len(prompt) and answer.usage.completion_tokens == len(new)
    assert answer.model == "test-model"


def test_streamed_pieces_join_to_the_reply_with_both_clients(server):
    from huggingface_hub import InferenceClient
    from openai import OpenAI

    hub = InferenceClient(model=server.url, timeout=30)  # the TGI-style root URL works for chat too
    pieces = [
        c.choices[0].delta.content for c in hub.chat_completion(messages=MESSAGES, max_tokens=15, stream=True)
    ]
    assert pieces[0] == "" and pieces[-1] is None  # the role chunk, the finish chunk
    assert "".join(p for p in pieces if p) == server.requests[-1].reply
    assert server.requests[-1].stream
    openai = OpenAI(base_url=server.base_url, api_key="not-needed", timeout=30, max_retries=0)
    stream = openai.chat.completions.create(model="x", messages=MESSAGES, max_tokens=15, stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == server.requests[-1].reply and server.requests[-1].body["model"] == "x"
    assert text == "".join(p for p in pieces if p), "same request, same seed: the same answer"


def test_completions_and_tgi_routes(server):
    from huggingface_hub import InferenceClient
    from openai import OpenAI

    openai = OpenAI(base_url=server.base_url, api_key="not-needed", timeout=30, max_retries=0)
    whole = openai.completions.create(model="x", prompt="the film", max_tokens=8, temperature=0)
    streamed = openai.completions.create(
        model="x", prompt="the film", max_tokens=8, temperature=0, stream=True
    )
    assert "".join(c.choices[0].text for c in streamed) == whole.choices[0].text
    client = InferenceClient(model=server.url, timeout=30)
    text = client.text_generation("the film", max_new_tokens=8, do_sample=False)
    assert text == whole.choices[0].text, "greedy: the same continuation through TGI's route"
    details = client.text_generation("the film", max_new_tokens=8, do_sample=False, details=True)
    assert details.generated_text == text and details.details.generated_tokens == len(details.details.tokens)
    assert all(t.logprob <= 0 for t in details.details.tokens)
    assert "".join(client.text_generation("the film", max_new_tokens=8, do_sample=False, stream=True)) == text
    assert server.requests[-1].path == "/"


def test_seeds_repeat_and_differ(server):
    def ask(**options):
        status, body = _post(
            server.base_url + "/chat/completions", {"messages": MESSAGES, "max_tokens": 20, **options}
        )
        assert status == 200
        return body["choices"][0]["message"]["content"]

    assert ask(seed=5) == ask(seed=5)
    assert len({ask(seed=s) for s in range(4)}) > 1, "sampling with other seeds gives other answers"
    assert ask(temperature=0, seed=1) == ask(temperature=0, seed=2), "temperature 0 is greedy"


def test_stop_strings_cut_the_answer(server):
    status, body = _post(
        server.base_url + "/completions", {"prompt": "the film", "max_tokens": 30, "temperature": 0}
    )
    full = body["choices"][0]["text"]
    word = full.split()[2]  # a word the greedy answer contains
    status, body = _post(
        server.base_url + "/completions",
        {"prompt": "the film", "max_tokens": 30, "temperature": 0, "stop": [word]},
    )
    assert status == 200 and body["choices"][0]["text"] == full[: full.index(word)]
    assert body["choices"][0]["finish_reason"] == "stop"
    assert cut_at_stop("a b c", ["c", "b"]) == ("a ", True) and cut_at_stop("a", ["z"]) == ("a", False)


def test_penalties_lower_the_logits_of_generated_tokens_only(server):
    from course.inference.server import _Penalties

    ids = torch.tensor([[7, 7, 1, 1, 1, 2]])  # a 2-token prompt, then 1 three times and 2 once
    scores = torch.zeros((1, 10))
    out = _Penalties(prompt_length=2, presence=0.5, frequency=1.0)(ids, scores.clone())
    assert out[0, 1] == -(3 * 1.0 + 0.5) and out[0, 2] == -(1.0 + 0.5)
    assert out[0, 7] == 0 and out[0, 0] == 0, "prompt tokens and unseen tokens keep their logits"
    status, body = _post(
        server.base_url + "/completions",
        {"prompt": "the movie is", "max_tokens": 8, "frequency_penalty": 1.5, "presence_penalty": 1.0},
    )
    assert status == 200 and server.requests[-1].body["frequency_penalty"] == 1.5


@pytest.mark.parametrize(
    ("path", "payload", "words"),
    [
        ("/v1/chat/completions", {"messages": []}, "messages must be"),
        ("/v1/chat/completions", {"messages": [{"role": "robot", "content": "x"}]}, "role"),
        ("/v1/chat/completions", {"messages": MESSAGES, "n": 2}, "n=1"),
        ("/v1/chat/completions", {"messages": MESSAGES, "max_tokens": MAX_TOKENS_CAP + 1}, "max_tokens"),
        ("/v1/chat/completions", {"messages": MESSAGES, "temperature": "hot"}, "temperature"),
        ("/v1/completions", {"prompt": ["a", "b"]}, "one prompt"),
        ("/v1/completions", {"prompt": "a", "stop": [""]}, "stop"),
        ("/", {"inputs": 3}, "inputs"),
        ("/v1/completions", {"prompt": "word " * 600, "max_tokens": 5}, "context"),
        ("/v1", {"inputs": "a"}, "root URL"),
        ("/nowhere", {}, "no route"),
    ],
)
def test_refused_requests_say_why(server, path, payload, words):
    status, body = _post(server.url + path, payload)
    assert status in (400, 404) and words in body["error"]["message"]


def test_malformed_and_oversized_bodies(server):
    status, body = _post(server.base_url + "/completions", None, raw=b"{not json")
    assert status == 400 and "not JSON" in body["error"]["message"]
    status, body = _post(server.base_url + "/completions", None, raw=b"[1, 2]")
    assert status == 400 and "object" in body["error"]["message"]
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.putrequest("POST", "/v1/completions")
    connection.putheader("Content-Length", str(MAX_BODY_BYTES + 1))  # refused before the body is read
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 400 and "at most" in json.loads(response.read())["error"]["message"]
    connection.close()
    assert server.requests[-1].status == 400


def test_stopped_server_frees_its_port(standin):
    model, tokenizer = standin
    with serve(model, tokenizer, model_id="short-lived") as short:
        url = short.url
        assert "serving" in repr(short)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/health", timeout=2)


# --- offline: huggingface_hub reaches 127.0.0.1 only ----------------------------------------------------


def test_offline_mode_lets_loopback_through_and_refuses_the_hub(server, monkeypatch):
    from huggingface_hub import InferenceClient, constants
    from huggingface_hub.errors import OfflineModeIsEnabled
    from huggingface_hub.utils import get_session

    from course.inference.local import allow_local_requests, is_loopback

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    allow_local_requests()
    assert allow_local_requests() is False, "installed once"
    answer = InferenceClient(base_url=server.base_url).chat_completion(messages=MESSAGES, max_tokens=3)
    assert isinstance(answer.choices[0].message.content, str)
    with pytest.raises(OfflineModeIsEnabled):
        get_session().get("https://huggingface.co/api/models")
    assert is_loopback("127.0.0.5") and is_loopback("localhost") and not is_loopback("huggingface.co")


SANDBOXED = """
import json, urllib.request
from course.checks.inference import standin
from course.inference import serve
model, tokenizer = standin()
with serve(model, tokenizer, model_id="boxed") as server:
    from huggingface_hub import InferenceClient
    answer = InferenceClient(base_url=server.base_url, timeout=30).chat_completion(
        messages=[{"role": "user", "content": "hi"}], max_tokens=4)
    print(json.dumps({"ok": isinstance(answer.choices[0].message.content, str)}))
"""


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
def test_the_server_answers_inside_a_sandbox_without_network():
    """The grader runs kernels under `bwrap --unshare-all`: a private network namespace, loopback working."""
    command = [
        "bwrap",
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--tmpfs",
        "/tmp",
        # a checkout (and venv) under /tmp, as CI's fresh clone is, is bound back on top (as the grader does)
        "--ro-bind",
        str(Path(__file__).resolve().parents[1]),
        str(Path(__file__).resolve().parents[1]),
        "--unshare-all",
        "--die-with-parent",
        sys.executable,
        "-c",
        SANDBOXED,
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=240,
        env={**__import__("os").environ, "HF_HUB_OFFLINE": "1"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"ok": True}


# --- measurements ----------------------------------------------------------------------------------------


def test_kv_cache_effect_generates_the_same_tokens_both_ways(standin):
    model, tokenizer = standin
    effect = measure.kv_cache_effect(model, tokenizer, "the movie is", 20)
    assert effect["same_tokens"] and len(effect["tokens"]) == 20
    for name in ("cache", "no_cache"):
        assert len(effect[name]["step_seconds"]) == 20 and effect[name]["seconds"] > 0


def test_measured_cache_matches_the_formula(standin):
    from course.checks.inference import kv_cache_reference

    model, _ = standin
    found = measure.measured_kv_cache_bytes(model, torch.zeros((3, 17), dtype=torch.long))
    config = model.config
    assert found["bytes"] == kv_cache_reference(config, 3, 17, 4)
    assert found["tensors"] == 2 * config.num_hidden_layers
    assert found["shape"] == [
        3,
        config.num_key_value_heads,
        17,
        config.hidden_size // config.num_attention_heads,
    ]


def test_batching_counts_every_row_and_refuses_too_few_prompts(standin):
    model, tokenizer = standin
    rows = measure.batching_throughput(model, tokenizer, ["a", "the film", "it is"], [1, 3], new_tokens=5)
    assert [r["new_tokens"] for r in rows] == [5, 15]
    with pytest.raises(ValueError, match="needs 4 prompts"):
        measure.batching_throughput(model, tokenizer, ["a"], [4], new_tokens=2)


def test_parameter_bytes_counts_tied_weights_once(standin):
    model, _ = standin
    assert model.config.tie_word_embeddings
    assert measure.parameter_bytes(model) == 4 * model.num_parameters()


def test_int8_quantization_shrinks_the_linear_layers(standin):
    model, tokenizer = standin
    quantized = measure.quantize_int8(model)
    names = {type(m).__name__ for m in quantized.modules()}
    assert "DynamicQuantizedLinear" in names or "Linear" in {n.split(".")[-1] for n in names}
    found = measure.compare_quantized(model, quantized, tokenizer, ["the film", "a"], new_tokens=6)
    assert found["int8_bytes"] < found["float32_bytes"]
    assert 0.0 <= found["agreement"] <= 1.0 and len(found["first_difference"]) == 2
    assert next(model.parameters()).dtype == torch.float32, "the original model is left as it was"


def test_peak_rss_is_positive():
    assert measure.peak_rss_mb() > 10


# --- the stand-in ----------------------------------------------------------------------------------------


def test_training_chat_turns_are_what_the_chat_template_renders(standin):
    _, tokenizer = standin
    turn = causal_lm.chat_turn("sys", "ask", "answer")
    rendered = tokenizer.apply_chat_template(
        [
            {"role": "system", "content": "sys"},
            {"role": "user", "content": "ask"},
            {"role": "assistant", "content": "answer"},
        ],
        tokenize=False,
    )
    assert turn == rendered


def test_the_standin_says_what_it_is(standin):
    model, tokenizer = standin
    record = model.config.course_standin
    assert "SmolLM2" in record["stands_in_for"] and "does not follow instructions" in record["differs"]
    assert tokenizer.pad_token_id not in (0, None), "pad id is not 0 (a check relies on it)"
    info = causal_lm.meta()
    assert info["validation_loss"] < info["unigram_loss"], "it learned more than token frequencies"
    assert causal_lm.MODEL_ID in causal_lm.status_lines()[0]
    assert "unigram" in causal_lm.summarize(info)


def test_without_local_glue_files_the_builder_reads_the_hubs_copy(monkeypatch):
    """In Colab there is no $COURSE_DATA_DIR: the builder reads `load_dataset("nyu-mll/glue", task)`."""
    import datasets

    from course import data

    def missing(task, root=None):
        raise data.DataNotFoundError(f"no offline data for {task}")

    asked = []
    monkeypatch.setattr(data, "load_glue_offline", missing)
    monkeypatch.setattr(
        datasets, "load_dataset", lambda name, task: asked.append((name, task)) or {"task": task}
    )
    assert causal_lm._glue("sst2") == {"task": "sst2"} and asked == [("nyu-mll/glue", "sst2")]
