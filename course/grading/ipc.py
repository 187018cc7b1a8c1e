"""What the worker shares with a sandboxed kernel: its sockets, reached without following the kernel's paths,
and its stdio, which goes to a pipe the worker reads (never to the worker's own log file).

Sockets. The kernel binds its ZeroMQ sockets in its own /tmp/.kernel, a folder it can write. A path
through /proc/<init>/root would follow whatever the kernel puts there later (a symbolic link to a host
socket, followed by the root worker on every reconnect). So, once the kernel has bound them, and before
any student code has run, the worker opens each socket file with `O_PATH | O_NOFOLLOW`, walking from the
sandbox's root one folder at a time (`O_DIRECTORY | O_NOFOLLOW`), checks that it is a socket of the
sandbox's user, and keeps the descriptor. ZeroMQ then connects through links in a root-only folder of
the worker to /proc/<worker>/fd/<descriptor>: the very inode that was checked, whatever the kernel later
renames, removes or links in its folder.

Stdio. The kernel's stdout and stderr are a pipe; a thread copies at most `KERNEL_LOG_BYTES` of it to
the worker's stderr, each line marked "[kernel] ", so the kernel cannot forge or bloat the grader's log
(through /proc/self/fd it reaches only its end of the pipe). stdin is /dev/null; `close_fds` stays on,
so nothing else is inherited.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
import threading
import time
from pathlib import Path

KERNEL_LOG_BYTES = 64 * 1024
_PATH_DIR = os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_PATH_FILE = os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC


class SocketsRefused(RuntimeError):
    """The kernel's socket files are not what the grader will connect to."""


def _walk(root: str, folders: list[str]) -> int:
    fd = os.open(root, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)  # the sandbox's root: followed once
    try:
        for name in folders:
            child = os.open(name, _PATH_DIR, dir_fd=fd)
            os.close(fd)
            fd = child
        return fd
    except OSError:
        os.close(fd)
        raise


def _pin(folder_fd: int, name: str, owner: int | None) -> int | None:
    """A descriptor of the socket `name` (None while it does not exist yet); SocketsRefused otherwise."""
    try:
        fd = os.open(name, _PATH_FILE, dir_fd=folder_fd)
    except FileNotFoundError:
        return None
    info = os.fstat(fd)
    if not stat.S_ISSOCK(info.st_mode) or (owner is not None and info.st_uid != owner):
        os.close(fd)
        raise SocketsRefused(f"{name} is not a socket of the sandbox's user: refused")
    return fd


def pin_sockets(
    root: str, folder: str, prefix: str, ports: list[int], owner: int | None, alive, wait_s: float = 120
) -> dict[int, int]:
    """port -> O_PATH descriptor of `<root><folder>/<prefix>-<port>`, once the kernel bound them all.

    `alive()` says whether the sandbox still runs; RuntimeError when it ends or `wait_s` passes first.
    """
    deadline = time.monotonic() + wait_s
    pins: dict[int, int] = {}
    try:
        while True:
            try:
                folder_fd = _walk(root, [p for p in folder.split("/") if p])
            except FileNotFoundError:
                folder_fd = None
            if folder_fd is not None:
                try:
                    for port in ports:
                        if port not in pins:
                            fd = _pin(folder_fd, f"{prefix}-{port}", owner)
                            if fd is not None:
                                pins[port] = fd
                finally:
                    os.close(folder_fd)
            if len(pins) == len(ports):
                return pins
            if not alive():
                raise RuntimeError("the sandboxed kernel exited before it opened its sockets")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the sandboxed kernel did not open its sockets within {wait_s:.0f} s")
            time.sleep(0.05)
    except BaseException:
        close_pins(pins)
        raise


def link_pins(pins: dict[int, int]) -> tuple[str, Path]:
    """A root-only folder of links `<folder>/k-<port>` -> /proc/<this process>/fd/<pin>: (ip, folder).

    The `ip` is what jupyter_client formats as `ipc://<ip>-<port>` (kept short: socket paths are
    limited to 107 bytes).
    """
    folder = Path(tempfile.mkdtemp(prefix="ck-", dir="/tmp"))
    os.chmod(folder, 0o700)
    for port, fd in pins.items():
        os.symlink(f"/proc/{os.getpid()}/fd/{fd}", folder / f"k-{port}")
    return str(folder / "k"), folder


def close_pins(pins: dict[int, int]) -> None:
    for fd in pins.values():
        try:
            os.close(fd)
        except OSError:
            pass
    pins.clear()


def remove_links(folder: Path | None) -> None:
    if folder is None:
        return
    for link in Path(folder).glob("k-*"):
        link.unlink(missing_ok=True)
    try:
        Path(folder).rmdir()
    except OSError:
        pass


def kernel_pipe() -> tuple[int, int]:
    """(read end, write end) of the pipe that becomes the kernel's stdout and stderr."""
    read, write = os.pipe2(os.O_CLOEXEC)
    os.set_inheritable(write, True)
    return read, write


def drain(read_fd: int, sink=None, limit: int = KERNEL_LOG_BYTES) -> threading.Thread:
    """Copy the kernel's output to `sink` (default stderr), lines marked "[kernel] ", at most `limit`
    bytes; the rest is read and dropped, so the kernel never blocks on a full pipe."""

    def run() -> None:
        out = sink or sys.stderr
        kept, told = 0, False
        with os.fdopen(read_fd, "rb") as pipe:
            for line in iter(lambda: pipe.readline(4096), b""):
                if kept < limit:
                    text = line[: limit - kept].decode("utf-8", "replace").rstrip("\r\n")
                    kept += len(line)
                    out.write(f"[kernel] {text.encode('unicode_escape').decode('ascii')[:500]}\n")
                elif not told:
                    told = True
                    out.write(f"[kernel] ... more output dropped (over {limit} bytes)\n")
            out.flush()

    thread = threading.Thread(target=run, name="kernel-output", daemon=True)
    thread.start()
    return thread
