"""Notebook 10's figures, printed: the stand-in's build record, the course server's start-up, and (when
`transformers[serving]` is installed) how long `transformers serve` takes to answer its first request.

python benchmarks/inference.py [--transformers-serve] [--new-tokens 120]

- the causal LM stand-in: parameters, steps, validation loss beside the unigram baseline, build wall and CPU
  seconds (recorded by `course prepare-offline` in its standin.json);
- `course.inference.serve`: seconds from the call to the first answered chat request (in this process);
- the KV cache on and off, and throughput at batch sizes 1 to 16 (as the notebook measures them);
- with --transformers-serve: `transformers serve <stand-in folder>` in a new process, seconds until /health
  answers and until a first chat completion returns (offline: HF_HUB_OFFLINE=1).
Times depend on the machine and its load: the script prints `os.getloadavg()` beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _chat(url: str, model: str) -> dict:
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 8}
    request = urllib.request.Request(
        url + "/v1/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def course_server(model, tokenizer) -> float:  # noqa: ANN001
    """Seconds from serve() to the first answered chat request."""
    from course.inference import serve

    started = time.perf_counter()
    with serve(model, tokenizer, model_id="bench") as server:
        _chat(server.url, "bench")
        return time.perf_counter() - started


def transformers_serve(folder: str, limit: float = 300.0) -> dict:
    """`transformers serve` of `folder` in a new process: seconds to /health, then to a first chat answer."""
    import importlib.util

    missing = [m for m in ("fastapi", "uvicorn") if importlib.util.find_spec(m) is None]
    if missing:
        return {"skipped": f"{', '.join(missing)} not installed (pip install 'transformers[serving]')"}
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "transformers.cli.transformers",
        "serve",
        folder,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--device",
        "cpu",
    ]
    started = time.perf_counter()
    server = subprocess.Popen(
        command,
        env=dict(os.environ, HF_HUB_OFFLINE="1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if server.poll() is not None:
                return {"failed": f"transformers serve exited with {server.returncode}"}
            if time.perf_counter() - started > limit:
                return {"failed": f"no answer from /health within {limit:.0f} s"}
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        health = time.perf_counter() - started
        _chat(f"http://127.0.0.1:{port}", folder)
        return {"health_s": round(health, 1), "first_answer_s": round(time.perf_counter() - started, 1)}
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transformers-serve", action="store_true", help="also time `transformers serve`")
    parser.add_argument("--new-tokens", type=int, default=120)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from course.checks.inference import standin
    from course.inference import measure
    from course.offline import causal_lm

    print(f"load average before: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    info = causal_lm.meta()
    print(causal_lm.summarize(info))
    print(f"  build: {info['build_seconds']} s wall, {info['build_cpu_seconds']} s CPU")
    model, tokenizer = standin()
    print(f"course server: first chat answer {course_server(model, tokenizer):.2f} s after serve()")
    effect = measure.kv_cache_effect(model, tokenizer, "the movie is", args.new_tokens)
    on, off = effect["cache"]["seconds"], effect["no_cache"]["seconds"]
    print(
        f"KV cache, {args.new_tokens} tokens: {on:.2f} s with, {off:.2f} s without ({off / on:.1f}x); "
        f"same tokens: {effect['same_tokens']}"
    )
    prompts = ["the film", "a movie", "the story", "this is"] * 4
    for row in measure.batching_throughput(model, tokenizer, prompts, [1, 2, 4, 8, 16], new_tokens=24):
        print(f"batch {row['batch_size']:>2}: {row['tokens_per_second']:7.1f} new tokens/s")
    if args.transformers_serve:
        print("transformers serve:", transformers_serve(str(causal_lm.model_dir())))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
