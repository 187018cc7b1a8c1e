"""`course hub-serve`: the classroom's local Hub, in the foreground until Ctrl-C."""

from __future__ import annotations

import signal
import socket
import threading
from pathlib import Path

from course.env import cache_dir
from course.hubserve.classroom import build_classroom_tree
from course.hubserve.server import serve


def _reachable_host(host: str) -> str:
    """The address learners should use: this machine's name when listening on every interface."""
    if host not in ("0.0.0.0", "::", ""):
        return host
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "<this machine's address>"


def run(root: str | None, host: str, port: int, log: bool = False) -> int:
    folder = Path(root).expanduser() if root else cache_dir() / "hub-serve"
    states = build_classroom_tree(folder)
    for repo, state in states.items():
        print(f"  {repo}: {state}" + (" (run `course prepare-offline` first)" if state == "missing" else ""))
    try:
        server = serve(folder, host=host, port=port, verbose=log)
    except OSError as error:
        print(f"hub-serve: cannot listen on {host}:{port}: {error}")
        return 1
    bound = server.httpd.server_address[1]
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):  # set before the address is printed: no race
        signal.signal(signum, lambda *_: stop.set())
    print(f"serving {folder} at {server.url} (Ctrl-C stops it); the checkpoints are the course's stand-ins")
    print("learners run, before starting Jupyter:")
    print(f"  export HF_ENDPOINT=http://{_reachable_host(host)}:{bound}")
    try:
        while server.thread.is_alive() and not stop.wait(0.5):
            pass
        print("\nstopping")
    finally:
        server.stop()
    return 0
