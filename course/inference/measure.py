"""Measurements of notebook 10: the KV cache on and off, batching, memory, int8 dynamic quantization.

Each function runs `model.generate` greedily and forces the number of new tokens (`min_new_tokens` equal
to `max_new_tokens`), so that runs compare the same work. Times are wall-clock seconds from
`time.perf_counter`; they depend on the machine and its load, so notebooks print them in cells whose
output is not compared. What does not depend on the machine (token ids, byte counts, shapes) is returned
beside them.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from typing import Any


class StepClock:
    """A transformers streamer that notes the time of each step of `generate`.

    `generate` hands the streamer the prompt first, then each new token: `stamps[0]` is the start,
    `stamps[i]` the moment token i was ready. `step_seconds()` gives the time of each new token.
    """

    def __init__(self) -> None:
        self.stamps: list[float] = []

    def put(self, value: Any) -> None:
        self.stamps.append(time.perf_counter())

    def end(self) -> None:
        pass

    def step_seconds(self) -> list[float]:
        return [b - a for a, b in zip(self.stamps, self.stamps[1:])]


def _forced(new_tokens: int) -> dict:
    return {"max_new_tokens": new_tokens, "min_new_tokens": new_tokens, "do_sample": False}


def timed_generate(model, inputs: dict, new_tokens: int, **options: Any) -> tuple[Any, float, list[float]]:  # noqa: ANN001
    """(output ids, seconds, seconds of each step) of one greedy `generate` of exactly `new_tokens` tokens."""
    import torch

    clock = StepClock()
    with torch.no_grad():
        started = time.perf_counter()
        output = model.generate(
            **inputs,
            **_forced(new_tokens),
            streamer=clock if len(inputs["input_ids"]) == 1 else None,
            **options,
        )
        seconds = time.perf_counter() - started
    return output, seconds, clock.step_seconds()


def kv_cache_effect(model, tokenizer, prompt: str, new_tokens: int) -> dict:  # noqa: ANN001
    """Generate `new_tokens` tokens with the KV cache and without it: each step's time, and the tokens."""
    inputs = tokenizer([prompt], return_tensors="pt")
    timed_generate(model, inputs, 4)  # warm-up: the first call pays one-off costs
    found: dict[str, Any] = {"prompt_tokens": int(inputs["input_ids"].shape[1]), "new_tokens": new_tokens}
    outputs = {}
    for name, use_cache in (("cache", True), ("no_cache", False)):
        outputs[name], seconds, steps = timed_generate(model, inputs, new_tokens, use_cache=use_cache)
        found[name] = {"seconds": seconds, "step_seconds": steps}
    found["same_tokens"] = bool((outputs["cache"] == outputs["no_cache"]).all())
    found["tokens"] = outputs["cache"][0, inputs["input_ids"].shape[1] :].tolist()
    return found


def batching_throughput(
    model,  # noqa: ANN001
    tokenizer,  # noqa: ANN001
    prompts: Sequence[str],
    batch_sizes: Sequence[int],
    new_tokens: int,
) -> list[dict]:
    """For each batch size, one left-padded batch of the first prompts: seconds and new tokens per second."""
    rows = []
    warm = tokenizer(list(prompts[:1]), return_tensors="pt")
    timed_generate(model, warm, 4)
    for size in batch_sizes:
        if size > len(prompts):
            raise ValueError(f"batch size {size} needs {size} prompts; {len(prompts)} given")
        batch = tokenizer(list(prompts[:size]), padding=True, padding_side="left", return_tensors="pt")
        output, seconds, _ = timed_generate(model, batch, new_tokens)
        produced = size * (output.shape[1] - batch["input_ids"].shape[1])
        rows.append(
            {
                "batch_size": size,
                "seconds": seconds,
                "new_tokens": produced,
                "tokens_per_second": produced / seconds,
            }
        )
    return rows


def parameter_bytes(model) -> int:  # noqa: ANN001
    """Bytes held by the model's parameters (each tied tensor once)."""
    seen, total = set(), 0
    for parameter in model.parameters():
        if id(parameter) not in seen:
            seen.add(id(parameter))
            total += parameter.numel() * parameter.element_size()
    return total


def cache_tensors(cache) -> list:  # noqa: ANN001 - a transformers Cache (or the legacy tuple of tuples)
    """The key and value tensors a forward pass left in its cache, every layer's."""
    layers = getattr(cache, "layers", None)
    if layers is not None:
        return [t for layer in layers for t in (layer.keys, layer.values) if t is not None]
    return [t for pair in cache for t in pair]


def measured_kv_cache_bytes(model, input_ids) -> dict:  # noqa: ANN001
    """Run one forward pass with `use_cache=True` and count the bytes of the keys and values it kept."""
    import torch

    with torch.no_grad():
        cache = model(input_ids=input_ids, use_cache=True).past_key_values
    tensors = cache_tensors(cache)
    return {
        "bytes": sum(t.numel() * t.element_size() for t in tensors),
        "tensors": len(tensors),
        "shape": list(tensors[0].shape),  # (batch, key/value heads, positions, head size)
        "dtype": str(tensors[0].dtype).replace("torch.", ""),
    }


def peak_rss_mb() -> float:
    """The peak resident memory of this process so far, in MB (Linux and macOS)."""
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def quantize_int8(model):  # noqa: ANN001, ANN201 - a torch module
    """A copy of `model` whose Linear layers are int8 with dynamic activation quantization (PyTorch's
    eager `torch.ao.quantization.quantize_dynamic`; deprecated in favour of torchao, silenced here)."""
    import copy

    import torch
    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return quantize_dynamic(copy.deepcopy(model), {torch.nn.Linear}, dtype=torch.qint8)


def serialized_bytes(model) -> int:  # noqa: ANN001
    """The size of the model's state dict as `torch.save` writes it."""
    import io

    import torch

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.save(model.state_dict(), buffer)
    return buffer.tell()


def compare_quantized(model, quantized, tokenizer, prompts: Sequence[str], new_tokens: int) -> dict:  # noqa: ANN001
    """Sizes, generation time and agreement of greedy tokens, float32 against int8."""
    batch = tokenizer(list(prompts), padding=True, padding_side="left", return_tensors="pt")
    found = {"float32_bytes": serialized_bytes(model), "int8_bytes": serialized_bytes(quantized)}
    outputs = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, candidate in (("float32", model), ("int8", quantized)):
            timed_generate(candidate, batch, 2)
            outputs[name], found[f"{name}_seconds"], _ = timed_generate(candidate, batch, new_tokens)
    start = batch["input_ids"].shape[1]
    same = (outputs["float32"][:, start:] == outputs["int8"][:, start:]).float()
    found["agreement"] = float(same.mean())
    found["first_difference"] = [int(row.argmin()) if not bool(row.all()) else None for row in same]
    return found
