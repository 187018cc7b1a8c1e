"""A small OpenAI-compatible server for a transformers causal LM, in the standard library.

TGI, vLLM, llama.cpp's server and `transformers serve` all answer the same HTTP API, which is why one
client (`huggingface_hub.InferenceClient` or `openai.OpenAI`) talks to any of them. This server answers
the part of it that chapter 2 section 8 uses, for one model held in memory:

- `GET /health`, `GET /v1/models`;
- `POST /v1/chat/completions` (messages through the tokenizer's chat template) and `POST /v1/completions`
  (a raw prompt), both with `stream=True` as server-sent events (`data: {...}` lines, then `data: [DONE]`);
- `POST /` and `POST /generate` (TGI's own API, which `InferenceClient.text_generation` speaks), with
  `details` and `stream`.

It binds 127.0.0.1 on a free port and serves from a background thread (`serve(model, tokenizer)`). One
request generates at a time (a lock): it shows the API, not the batching that makes TGI and vLLM fast.
Sampling is seeded per request (`seed`, else the server's `default_seed`), so answers repeat. Every
request is recorded in `server.requests`, so a notebook (and its graded cells) can see what was sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_BODY_BYTES = 1_000_000
DEFAULT_MAX_TOKENS = 64
MAX_TOKENS_CAP = 512
SOCKET_TIMEOUT_S = 30


class RequestError(ValueError):
    """A request the server refuses (HTTP 400), with a message for the client."""


@dataclass
class Options:
    """Generation settings of one request, in the server's terms."""

    max_new_tokens: int = DEFAULT_MAX_TOKENS
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int | None = None
    do_sample: bool = True
    seed: int = 0
    stop: list[str] = field(default_factory=list)
    repetition_penalty: float | None = None
    presence_penalty: float = 0.0
    frequency_penalty: float = 0.0


@dataclass
class Generation:
    """What one request generated."""

    text: str
    token_ids: list[int]
    finish_reason: str  # "stop" (end of sequence or a stop string) or "length"
    prompt_tokens: int
    logprobs: list[float] = field(default_factory=list)

    @property
    def completion_tokens(self) -> int:
        return len(self.token_ids)


# --- request parsing -----------------------------------------------------------------------------------


def _number(body: dict, key: str, default: float, low: float, high: float) -> float:
    value = body.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise RequestError(f"{key} must be a number between {low} and {high}, got {value!r}")
    return float(value)


def _stop_list(value: Any) -> list[str]:
    if value is None:
        return []
    stops = [value] if isinstance(value, str) else value
    if not isinstance(stops, list) or not all(isinstance(s, str) and s for s in stops) or len(stops) > 4:
        raise RequestError("stop must be a string or a list of at most 4 non-empty strings")
    return stops


def openai_options(body: dict, default_seed: int) -> Options:
    """Options from an OpenAI-style body (max_tokens, temperature, top_p, seed, stop, penalties)."""
    if body.get("n", 1) != 1:
        raise RequestError("this server returns one choice per request (n=1)")
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    temperature = _number(body, "temperature", 1.0, 0.0, 2.0)
    top_k = body.get("top_k")
    return Options(
        max_new_tokens=int(
            _number({"max_tokens": limit}, "max_tokens", DEFAULT_MAX_TOKENS, 1, MAX_TOKENS_CAP)
        ),
        temperature=temperature,
        top_p=_number(body, "top_p", 1.0, 0.0, 1.0),
        top_k=int(_number(body, "top_k", 0, 0, 10_000)) or None if top_k is not None else None,
        do_sample=temperature > 0,
        seed=int(_number(body, "seed", default_seed, -(2**63), 2**63 - 1)),
        stop=_stop_list(body.get("stop")),
        repetition_penalty=body.get("repetition_penalty")
        and _number(body, "repetition_penalty", 1.0, 0.01, 10.0),
        presence_penalty=_number(body, "presence_penalty", 0.0, -2.0, 2.0),
        frequency_penalty=_number(body, "frequency_penalty", 0.0, -2.0, 2.0),
    )


def tgi_options(parameters: dict, default_seed: int) -> Options:
    """Options from TGI's `parameters` (max_new_tokens, do_sample, temperature, top_k, top_p, stop...)."""
    if not isinstance(parameters, dict):
        raise RequestError("parameters must be an object")
    temperature = _number(parameters, "temperature", 1.0, 0.0, 100.0)
    top_p = _number(parameters, "top_p", 1.0, 0.0, 1.0)
    top_k = int(_number(parameters, "top_k", 0, 0, 10_000)) or None
    sample = (
        bool(parameters.get("do_sample")) or parameters.get("temperature") is not None or top_p < 1 or top_k
    )
    return Options(
        max_new_tokens=int(_number(parameters, "max_new_tokens", 100, 1, MAX_TOKENS_CAP)),
        temperature=temperature,
        top_p=top_p,
        top_k=top_k,
        do_sample=bool(sample) and temperature > 0,
        seed=int(_number(parameters, "seed", default_seed, 0, 2**63 - 1)),
        stop=_stop_list(parameters.get("stop")),
        repetition_penalty=parameters.get("repetition_penalty")
        and _number(parameters, "repetition_penalty", 1.0, 0.01, 10.0),
        frequency_penalty=_number(parameters, "frequency_penalty", 0.0, -2.0, 2.0),
    )


def chat_messages(body: dict) -> list[dict[str, str]]:
    """The conversation of a chat request as {role, content} strings (text parts joined)."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError("messages must be a non-empty list of {role, content} objects")
    found = []
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in ("system", "user", "assistant"):
            raise RequestError("each message needs a role: system, user or assistant")
        content = message.get("content")
        if isinstance(content, list):  # OpenAI's content parts: keep the text ones
            content = "".join(
                p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"
            )
        if not isinstance(content, str):
            raise RequestError("each message's content must be a string")
        found.append({"role": message["role"], "content": content})
    return found


# --- generation ----------------------------------------------------------------------------------------


class _Penalties:
    """OpenAI's presence and frequency penalties: subtract from the logits of tokens already generated."""

    def __init__(self, prompt_length: int, presence: float, frequency: float) -> None:
        self.start, self.presence, self.frequency = prompt_length, presence, frequency

    def __call__(self, input_ids, scores):  # noqa: ANN001, ANN204 - torch tensors
        import torch

        for row in range(input_ids.shape[0]):
            generated = input_ids[row, self.start :]
            if generated.numel():
                counts = torch.bincount(generated, minlength=scores.shape[-1])[: scores.shape[-1]].to(
                    scores.dtype
                )
                scores[row] -= self.frequency * counts + self.presence * (counts > 0).to(scores.dtype)
        return scores


class _TextStream:
    """A transformers streamer that turns new token ids into text pieces (held back while a stop string
    could still be forming, or a character is incomplete)."""

    def __init__(self, tokenizer, stops: list[str], on_text: Callable[[str, int], None] | None) -> None:  # noqa: ANN001
        self.tokenizer, self.stops, self.on_text = tokenizer, stops, on_text
        self.ids: list[int] = []
        self.sent = 0
        self.prompt_seen = False
        self.hold = max((len(s) for s in stops), default=1) - 1

    def text(self) -> str:
        return self.tokenizer.decode(self.ids, skip_special_tokens=True)

    def put(self, value) -> None:  # noqa: ANN001 - a tensor of ids
        if not self.prompt_seen:  # generate first hands over the prompt
            self.prompt_seen = True
            return
        self.ids += [int(i) for i in value.reshape(-1).tolist()]
        text = self.text()
        if text.endswith("\ufffd"):  # half of a multi-byte character: wait for the rest
            return
        safe = len(cut_at_stop(text, self.stops)[0]) - self.hold
        if self.on_text is not None and safe > self.sent:
            self.on_text(text[self.sent : safe], self.ids[-1])
            self.sent = safe

    def end(self) -> None:
        pass

    def flush(self, final: str) -> None:
        if self.on_text is not None and len(final) > self.sent:
            self.on_text(final[self.sent :], self.ids[-1] if self.ids else -1)
            self.sent = len(final)


def cut_at_stop(text: str, stops: list[str]) -> tuple[str, bool]:
    """`text` up to the first stop string (excluded), and whether one was found."""
    positions = [text.find(s) for s in stops if s in text]
    return (text[: min(positions)], True) if positions else (text, False)


def generate(model, tokenizer, prompt_ids: list[int], options: Options, on_text=None) -> Generation:  # noqa: ANN001
    """Generate a continuation of `prompt_ids` with `model.generate`; `on_text(piece, last_id)` streams it."""
    import torch

    limit = getattr(model.config, "max_position_embeddings", None)
    if limit is not None and len(prompt_ids) + options.max_new_tokens > limit:
        raise RequestError(
            f"the prompt ({len(prompt_ids)} tokens) plus max_tokens ({options.max_new_tokens}) exceed the "
            f"model's context of {limit} tokens"
        )
    stream = _TextStream(tokenizer, options.stop, on_text)
    sampling = {}
    if options.do_sample:
        sampling = {"temperature": options.temperature, "top_p": options.top_p, "top_k": options.top_k or 0}
    extra = {}
    if options.presence_penalty or options.frequency_penalty:
        from transformers import LogitsProcessorList

        penalties = _Penalties(len(prompt_ids), options.presence_penalty, options.frequency_penalty)
        extra["logits_processor"] = LogitsProcessorList([penalties])
    if options.repetition_penalty:
        extra["repetition_penalty"] = options.repetition_penalty
    if options.stop:
        extra.update(stop_strings=options.stop, tokenizer=tokenizer)
    input_ids = torch.tensor([prompt_ids])
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(options.seed)
        out = model.generate(
            input_ids=input_ids,
            attention_mask=torch.ones_like(input_ids),
            max_new_tokens=options.max_new_tokens,
            do_sample=options.do_sample,
            pad_token_id=tokenizer.pad_token_id,
            streamer=stream,
            return_dict_in_generate=True,
            output_scores=True,
            **sampling,
            **extra,
        )
    new = out.sequences[0, len(prompt_ids) :].tolist()
    logprobs = [float(torch.log_softmax(s[0].float(), -1)[t]) for s, t in zip(out.scores, new)]
    text, stopped = cut_at_stop(stream.text(), options.stop)
    eos = model.generation_config.eos_token_id
    eos = set(eos if isinstance(eos, list) else [eos])
    finished = stopped or (bool(new) and new[-1] in eos) or len(new) < options.max_new_tokens
    stream.flush(text)
    return Generation(text, new, "stop" if finished else "length", len(prompt_ids), logprobs)


# --- the server ----------------------------------------------------------------------------------------


@dataclass
class Recorded:
    """One request as the server received and answered it."""

    path: str
    body: dict
    stream: bool
    reply: str = ""
    finish_reason: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    status: int = 200
    seconds: float = 0.0


class LocalServer:
    """An OpenAI-compatible server for one model, on 127.0.0.1, served from a background thread."""

    def __init__(
        self,
        model,  # noqa: ANN001 - a transformers causal LM
        tokenizer,  # noqa: ANN001
        model_id: str,
        port: int = 0,
        default_seed: int = 0,
    ) -> None:
        self.model, self.tokenizer, self.model_id = model, tokenizer, model_id
        self.default_seed = default_seed
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        self.created = int(time.time())
        self._count = 0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self.httpd.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        """The server's root URL (TGI's API answers here)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible API's base URL (`.../v1`), as clients expect it."""
        return self.url + "/v1"

    def start(self) -> LocalServer:
        """Serve from a daemon thread (the socket is already listening: no wait needed)."""
        if self.thread is None:
            self.thread = threading.Thread(
                target=self.httpd.serve_forever, name="course-llm-server", daemon=True
            )
            self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self.thread is not None:
            self.httpd.shutdown()
            self.thread.join(timeout=5)
            self.thread = None
        self.httpd.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "serving" if self.thread is not None else "stopped"
        return f"LocalServer({self.model_id!r} at {self.base_url}, {state}, {len(self.requests)} request(s))"

    def next_id(self, prefix: str) -> str:
        with self.lock:
            self._count += 1
            return f"{prefix}-{self._count}"

    def run(self, prompt_ids: list[int], options: Options, on_text=None) -> Generation:  # noqa: ANN001
        """Generate under the server's lock (one request at a time)."""
        with self.lock:
            return generate(self.model, self.tokenizer, prompt_ids, options, on_text)

    def chat_prompt(self, messages: list[dict[str, str]]) -> list[int]:
        text = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def text_prompt(self, prompt: Any) -> list[int]:
        if isinstance(prompt, list) and len(prompt) == 1:
            prompt = prompt[0]
        if not isinstance(prompt, str):
            raise RequestError("prompt must be a string (one prompt per request)")
        return self.tokenizer(prompt, add_special_tokens=False)["input_ids"]


def serve(
    model, tokenizer=None, model_id: str | None = None, port: int = 0, default_seed: int = 0
) -> LocalServer:  # noqa: ANN001
    """Start a `LocalServer` for `model` (a loaded causal LM, or a name or folder for from_pretrained).

    It listens on 127.0.0.1 (a free port unless `port` is given) and lets huggingface_hub reach it while
    offline (course.inference.local). Stop it with `server.stop()`, or use it as a context manager.
    """
    from course.inference.local import allow_local_requests

    if isinstance(model, str):
        from transformers import AutoModelForCausalLM, AutoTokenizer

        model_id = model_id or model
        tokenizer = tokenizer or AutoTokenizer.from_pretrained(model)
        model = AutoModelForCausalLM.from_pretrained(model)
    if tokenizer is None:
        raise ValueError("serve(model, tokenizer): pass the model's tokenizer too")
    model.eval()
    model_id = model_id or getattr(model.config, "name_or_path", "") or "local-model"
    allow_local_requests()
    return LocalServer(model, tokenizer, model_id, port=port, default_seed=default_seed).start()


def _handler_for(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    from course.inference import routes

    class Handler(routes.Routes):
        owner = server

    return Handler


def sse_lines(events: Iterator[dict]) -> Iterator[bytes]:
    """Server-sent events: one `data: {json}` line per event, then `data: [DONE]`."""
    for event in events:
        yield f"data: {json.dumps(event)}\n\n".encode()
    yield b"data: [DONE]\n\n"
