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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from course.inference.protocol import (  # noqa: F401 - re-exported: the server's public names
    MAX_BODY_BYTES,
    MAX_TOKENS_CAP,
    Generation,
    Options,
    Recorded,
    RequestError,
)

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
