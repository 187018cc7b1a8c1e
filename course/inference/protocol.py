"""What the server's HTTP side and its generation side share: limits, request parsing, results.

course.inference.routes (HTTP) and course.inference.server (generation, the server object) both import this
module and not each other, so that no import circle forms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
