"""Notebook 10 (chapter 2 section 8, optimized inference): a local OpenAI-compatible server and measurements.

- `course.inference.server`: `serve(model, tokenizer)` starts a small OpenAI-compatible server on 127.0.0.1
  (the API that TGI, vLLM, llama.cpp and `transformers serve` expose), in a background thread.
- `course.inference.measure`: the KV cache on and off, batching, memory and int8 quantization, timed.
- `course.inference.local`: let huggingface_hub's offline mode through to 127.0.0.1.

Nothing heavy is imported here.
"""

from __future__ import annotations

__all__ = ["serve", "allow_local_requests", "load_standin"]


def serve(*args, **kwargs):  # noqa: ANN002, ANN003, ANN201 - see course.inference.server.serve
    """Start the local server (course.inference.server.serve)."""
    from course.inference.server import serve as start

    return start(*args, **kwargs)


def allow_local_requests() -> bool:
    """Let huggingface_hub reach 127.0.0.1 while offline (course.inference.local)."""
    from course.inference.local import allow_local_requests as allow

    return allow()


def load_standin(progress: bool = True):  # noqa: ANN201 - (tokenizer, model)
    """The causal LM stand-in's tokenizer and model (built first when missing)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from course.offline.causal_lm import ensure

    path = ensure(progress=progress)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path)
    model.eval()
    return tokenizer, model
