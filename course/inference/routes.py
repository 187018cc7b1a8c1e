"""The HTTP side of course.inference.server: one handler class, one method per route.

Bodies are JSON (at most 1 MB); answers are JSON, or server-sent events when the request asks to stream.
A refused request gets OpenAI's error shape, `{"error": {"message", "type", "code"}}`, with status 400.
"""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from course.inference.protocol import (
    MAX_BODY_BYTES,
    SOCKET_TIMEOUT_S,
    Generation,
    Recorded,
    RequestError,
    chat_messages,
    openai_options,
    tgi_options,
)


class Routes(BaseHTTPRequestHandler):
    """Answers GET /health and /v1/models; POST /v1/chat/completions, /v1/completions, / and /generate."""

    owner: Any = None  # the LocalServer, set by a subclass per server
    timeout = SOCKET_TIMEOUT_S
    server_version = "course-llm-server"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Quiet: the notebook's output stays clean (requests are recorded in owner.requests)."""

    # --- plumbing ------------------------------------------------------------------------------------

    def _send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        kind = "invalid_request_error" if status < 500 else "server_error"
        self._send_json(status, {"error": {"message": message, "type": kind, "code": status}})

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            raise RequestError(f"the body is {length} bytes; this server reads at most {MAX_BODY_BYTES}")
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RequestError(f"the body is not JSON: {error}") from None
        if not isinstance(body, dict):
            raise RequestError("the body must be a JSON object")
        return body

    def _start_events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()

    def _event(self, payload: dict | str) -> None:
        data = payload if isinstance(payload, str) else json.dumps(payload)
        self.wfile.write(f"data: {data}\n\n".encode())
        self.wfile.flush()

    # --- routing -------------------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        path = self.path.split("?")[0].rstrip("/")
        if path == "/health":
            self._send_json(200, {"status": "ok"})
        elif path == "/v1/models":
            owner = self.owner
            model = {"id": owner.model_id, "object": "model", "created": owner.created, "owned_by": "course"}
            self._send_json(200, {"object": "list", "data": [model]})
        else:
            self._error(404, f"no route GET {path}")

    def do_POST(self) -> None:  # noqa: N802 - the base class's name
        path = self.path.split("?")[0].rstrip("/") or "/"
        routes = {
            "/v1/chat/completions": self._chat,
            "/v1/completions": self._completion,
            "/": self._tgi,
            "/generate": self._tgi,
            "/generate_stream": self._tgi,
        }
        if path not in routes:
            hint = (
                ": text_generation speaks TGI's own API, which answers at the server's root URL "
                "(InferenceClient(model=<root url>)); at /v1 use chat_completion or the completions route"
                if path == "/v1"
                else ""
            )
            self._error(404, f"no route POST {path}{hint}")
            return
        record = Recorded(path=path, body={}, stream=False)
        started = time.perf_counter()
        try:
            record.body = self._body()
            record.stream = bool(record.body.get("stream")) or path == "/generate_stream"
            self.owner.requests.append(record)
            routes[path](record)
        except RequestError as error:
            record.status = 400
            self._error(400, str(error))
        except (BrokenPipeError, ConnectionResetError):  # the client went away mid-stream
            record.status = 499
        except Exception as error:  # noqa: BLE001 - answer 500 rather than drop the connection
            record.status = 500
            self._error(500, f"{type(error).__name__}: {error}")
        finally:
            record.seconds = round(time.perf_counter() - started, 4)

    # --- the routes ----------------------------------------------------------------------------------

    def _finish(self, record: Recorded, result: Generation) -> None:
        record.reply, record.finish_reason = result.text, result.finish_reason
        record.prompt_tokens, record.completion_tokens = result.prompt_tokens, result.completion_tokens

    @staticmethod
    def _usage(result: Generation) -> dict:
        return {
            "prompt_tokens": result.prompt_tokens,
            "completion_tokens": result.completion_tokens,
            "total_tokens": result.prompt_tokens + result.completion_tokens,
        }

    def _chat(self, record: Recorded) -> None:
        owner = self.owner
        prompt = owner.chat_prompt(chat_messages(record.body))
        options = openai_options(record.body, owner.default_seed)
        head = {"id": owner.next_id("chatcmpl"), "created": int(time.time()), "model": owner.model_id}
        if not record.stream:
            result = owner.run(prompt, options)
            self._finish(record, result)
            message = {"role": "assistant", "content": result.text}
            choice = {"index": 0, "message": message, "finish_reason": result.finish_reason, "logprobs": None}
            self._send_json(
                200, {**head, "object": "chat.completion", "choices": [choice], "usage": self._usage(result)}
            )
            return
        chunk = {**head, "object": "chat.completion.chunk"}
        self._start_events()
        first = {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}
        self._event({**chunk, "choices": [first]})

        def piece(text: str, _last_id: int) -> None:
            self._event(
                {**chunk, "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
            )

        result = owner.run(prompt, options, piece)
        self._finish(record, result)
        last = {"index": 0, "delta": {}, "finish_reason": result.finish_reason}
        self._event({**chunk, "choices": [last], "usage": self._usage(result)})
        self._event("[DONE]")

    def _completion(self, record: Recorded) -> None:
        owner = self.owner
        prompt = owner.text_prompt(record.body.get("prompt"))
        options = openai_options(record.body, owner.default_seed)
        head = {"id": owner.next_id("cmpl"), "object": "text_completion", "created": int(time.time())}
        head["model"] = owner.model_id

        def choice(text: str, finish: str | None) -> dict:
            return {"index": 0, "text": text, "finish_reason": finish, "logprobs": None}

        if not record.stream:
            result = owner.run(prompt, options)
            self._finish(record, result)
            payload = {**head, "choices": [choice(result.text, result.finish_reason)]}
            self._send_json(200, {**payload, "usage": self._usage(result)})
            return
        self._start_events()
        result = owner.run(
            prompt, options, lambda text, _id: self._event({**head, "choices": [choice(text, None)]})
        )
        self._finish(record, result)
        self._event({**head, "choices": [choice("", result.finish_reason)], "usage": self._usage(result)})
        self._event("[DONE]")

    def _tgi(self, record: Recorded) -> None:
        owner = self.owner
        inputs = record.body.get("inputs")
        if not isinstance(inputs, str):
            raise RequestError("TGI's API wants {'inputs': <prompt string>, 'parameters': {...}}")
        parameters = record.body.get("parameters") or {}
        options = tgi_options(parameters, owner.default_seed)
        prompt = owner.text_prompt(inputs)
        prefix = inputs if parameters.get("return_full_text") else ""
        if not record.stream:
            result = owner.run(prompt, options)
            self._finish(record, result)
            answer: dict = {"generated_text": prefix + result.text}
            if parameters.get("details"):
                answer["details"] = self._details(result, options.seed, with_tokens=True)
            self._send_json(200, [answer] if record.path == "/" else answer)
            return
        self._start_events()
        tokens = {"n": 0}

        def piece(text: str, last_id: int) -> None:  # a piece may span several tokens: the last one's id
            tokens["n"] += 1
            token = {"id": last_id, "text": text, "logprob": None, "special": False}
            self._event({"index": tokens["n"], "token": token, "generated_text": None, "details": None})

        result = owner.run(prompt, options, piece)
        self._finish(record, result)
        end = {"id": -1, "text": "", "logprob": None, "special": True}
        details = self._details(result, options.seed, with_tokens=False)
        self._event(
            {
                "index": tokens["n"] + 1,
                "token": end,
                "generated_text": prefix + result.text,
                "details": details,
            }
        )

    def _details(self, result: Generation, seed: int, with_tokens: bool) -> dict:
        details: dict = {
            "finish_reason": "eos_token" if result.finish_reason == "stop" else "length",
            "generated_tokens": result.completion_tokens,
            "seed": seed,
        }
        if with_tokens:
            decode = self.owner.tokenizer.decode
            details["prefill"] = []
            details["tokens"] = [
                {
                    "id": t,
                    "text": decode([t]),
                    "logprob": round(lp, 4),
                    "special": t in self.owner.tokenizer.all_special_ids,
                }
                for t, lp in zip(result.token_ids, result.logprobs)
            ]
        return details
