"""A small read-only Hub-compatible HTTP server over a folder of repositories (standard library only).

The folder is laid out as `<root>/models/<repo_id>/<files>` and `<root>/datasets/<repo_id>/<files>`.
A repository folder that is a symbolic link to another repository folder is served as the Hub
serves a renamed repository: a 307 redirect to the other name (e.g. `glue` -> `nyu-mll/glue`).
Every revision of a repository resolves to its one commit, a stable 40-hex id computed from its
file list. The endpoints are exactly those that huggingface_hub, transformers and datasets call:

    HEAD/GET /{repo}/resolve/{rev}/{path}, /datasets/{repo}/resolve/{rev}/{path}   file download
    GET  /api/{models|datasets}/{repo}[/revision/{rev}]                            repo info
    GET  /api/{models|datasets}/{repo}/tree/{rev}[/{path}]                         tree listing
    POST /api/{models|datasets}/{repo}/paths-info/{rev}                            paths info
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import deque
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote

KINDS = ("models", "datasets")
ACTIONS = {"revision", "tree", "paths-info", "resolve", "refs", "commits", "treesize"}
LFS_SUFFIXES = frozenset(".safetensors .bin .parquet .arrow .h5 .msgpack .onnx .pt .pth .ot".split())
LFS_MIN_SIZE = 10 * 1024 * 1024
CHUNK = 1024 * 1024
DATE = "2024-01-01T00:00:00.000Z"
_digests: dict[tuple[str, int, int], tuple[str, str]] = {}
_digests_lock = threading.Lock()


def digests(path: Path) -> tuple[str, str]:
    """(git blob sha1, sha256) of a file, remembered while its size and mtime stay the same."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _digests_lock:
        if key in _digests:
            return _digests[key]
    git = hashlib.sha1(f"blob {stat.st_size}\0".encode())
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            git.update(block)
            sha.update(block)
    with _digests_lock:
        _digests[key] = (git.hexdigest(), sha.hexdigest())
    return _digests[key]


def byte_range(header: str, size: int) -> tuple[int, int]:
    """The first and last byte asked by a `Range: bytes=a-b` header; the whole file when absent or odd."""
    first, dash, last = header.removeprefix("bytes=").partition("-")
    if not header.startswith("bytes=") or not dash or not (first + last).isdigit() or size == 0:
        return 0, size - 1
    if not first:  # the last `last` bytes
        return max(size - int(last), 0), size - 1
    start, end = int(first), min(int(last), size - 1) if last else size - 1
    return (start, end) if start <= end else (0, size - 1)


def is_lfs(path: Path, size: int) -> bool:
    return path.suffix in LFS_SUFFIXES or size >= LFS_MIN_SIZE


class Repo:
    """One repository folder: its files (hidden names skipped), commit id and Hub JSON entries."""

    def __init__(self, kind: str, repo_id: str, folder: Path) -> None:
        self.kind, self.id, self.folder = kind, repo_id, folder

    def files(self) -> list[str]:
        found = []
        for top, dirs, names in os.walk(self.folder, followlinks=True):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if not name.startswith("."):
                    found.append(Path(top, name).relative_to(self.folder).as_posix())
        return found

    @property
    def sha(self) -> str:
        listing = ",".join(f"{p}:{(self.folder / p).stat().st_size}" for p in self.files())
        return hashlib.sha1(f"course-hub:{self.kind}:{self.id}:{listing}".encode()).hexdigest()

    def _path(self, path: str) -> Path | None:
        parts = path.split("/") if path else []
        if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
            return None
        return self.folder.joinpath(*parts)

    def file(self, path: str) -> Path | None:
        target = self._path(path) if path else None
        return target if target is not None and target.is_file() else None

    def entry(self, path: str) -> dict | None:
        """The tree / paths-info entry of a file or folder, None when absent."""
        target = self._path(path)
        if target is not None and target.is_dir():
            oid = hashlib.sha1(f"tree:{self.sha}:{path}".encode()).hexdigest()
            return {"type": "directory", "oid": oid, "size": 0, "path": path}
        if target is None or not target.is_file():
            return None
        size = target.stat().st_size
        git, sha256 = digests(target)
        entry = {"type": "file", "oid": git, "size": size, "path": path}
        if is_lfs(target, size):
            entry["lfs"] = {"oid": sha256, "size": size, "pointerSize": 134}
        return entry

    def info(self) -> dict:
        """What /api/{models|datasets}/{repo}[/revision/{rev}] answers."""
        siblings = [{"rfilename": path} for path in self.files()]
        sha = self.sha
        info = {"_id": sha[:24], "id": self.id, "sha": sha, "lastModified": DATE, "createdAt": DATE}
        info |= {"private": False, "gated": False, "disabled": False, "downloads": 0, "likes": 0}
        info |= {
            "tags": [],
            "siblings": siblings,
            "author": self.id.split("/")[0] if "/" in self.id else None,
        }
        if self.kind == "models":
            info |= {"modelId": self.id, "library_name": "transformers"}
        return info


class Handler(BaseHTTPRequestHandler):
    """Routes Hub requests to the repositories under `server.root`; logs each one in `server.requests`."""

    server: HubHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "course-hub/1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's signature
        if self.server.verbose:
            super().log_message(format, *args)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.route("HEAD")

    def do_GET(self) -> None:  # noqa: N802
        self.route("GET")

    def do_POST(self) -> None:  # noqa: N802
        self.route("POST")

    def end_headers(self) -> None:
        self.answered = True
        super().end_headers()

    def route(self, method: str) -> None:
        self.answered = False
        raw, _, query = self.path.partition("?")
        segments = [s for s in raw.split("/") if s]
        status = HTTPStatus.NOT_FOUND
        try:
            if segments == ["api", "agent-harnesses"]:  # huggingface_hub's user-agent telemetry registry
                status = self.json({"standardEnvVars": [], "harnesses": {}})
            elif segments[:1] == ["api"] and len(segments) >= 3 and segments[1] in KINDS:
                status = self.api(method, segments[1], segments[2:], query)
            elif segments[:1] == ["datasets"]:
                status = self.resolve(method, "datasets", segments[1:], query)
            elif segments[:1] not in (["api"], ["spaces"]):
                status = self.resolve(method, "models", segments, query)
            else:
                status = self.error(HTTPStatus.NOT_FOUND, "RepoNotFound", "not served here")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # a bug here must not hang the client: answer 500 and close
            self.close_connection = True
            status = HTTPStatus.INTERNAL_SERVER_ERROR
            if not self.answered:
                self.error(status, "ServerError", "the local hub failed on this request")
        finally:
            self.server.record(method, self.path, status)

    def find(self, kind: str, rest: list[str]) -> tuple[Repo | str | None, int]:
        """The repository the path names (its canonical id when it is an alias), and how many segments."""
        base = self.server.root / kind
        names = [unquote(s) for s in rest[:2]]
        width = (
            2 if len(rest) >= 2 and ((base / names[0] / names[1]).is_dir() or rest[1] not in ACTIONS) else 1
        )
        repo_id = "/".join(names[:width])
        folder = base / repo_id
        if any(p.startswith(".") or p == "" for p in repo_id.split("/")) or not folder.is_dir():
            return None, width
        if folder.is_symlink() and folder.resolve().is_relative_to(base.resolve()):
            return folder.resolve().relative_to(base.resolve()).as_posix(), width
        return Repo(kind, repo_id, folder), width

    def redirect(self, canonical: str, prefix: str, tail: list[str], query: str) -> HTTPStatus:
        """307 to the canonical name, as the Hub answers for a renamed repository."""
        location = prefix + "/".join([quote(canonical, safe="/"), *tail]) + (f"?{query}" if query else "")
        self.send_response(HTTPStatus.TEMPORARY_REDIRECT)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()
        return HTTPStatus.TEMPORARY_REDIRECT

    def resolve(self, method: str, kind: str, rest: list[str], query: str) -> HTTPStatus:
        repo, width = self.find(kind, rest)
        tail = rest[width:]
        if isinstance(repo, str):
            return self.redirect(repo, "/datasets/" if kind == "datasets" else "/", tail, query)
        if len(tail) < 3 or tail[0] != "resolve":
            return self.error(HTTPStatus.NOT_FOUND, "RepoNotFound", "Repository not found")
        if repo is None:
            return self.error(HTTPStatus.NOT_FOUND, "RepoNotFound", "Repository not found")
        path = "/".join(unquote(s) for s in tail[2:])
        target = repo.file(path)
        sha = repo.sha
        if target is None:
            return self.error(
                HTTPStatus.NOT_FOUND, "EntryNotFound", "Entry not found", {"X-Repo-Commit": sha}
            )
        size = target.stat().st_size
        git, sha256 = digests(target)
        start, end = byte_range(self.headers.get("Range", ""), size)
        partial = (start, end) != (0, size - 1)
        self.send_response(HTTPStatus.PARTIAL_CONTENT if partial else HTTPStatus.OK)
        headers = {"X-Repo-Commit": sha, "ETag": f'"{sha256 if is_lfs(target, size) else git}"'}
        headers |= {"Content-Length": str(end - start + 1), "Accept-Ranges": "bytes"}
        headers["Content-Type"] = "application/octet-stream"
        if partial:
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if method == "GET":
            with target.open("rb") as handle:
                handle.seek(start)
                left = end - start + 1
                while left > 0 and (block := handle.read(min(CHUNK, left))):
                    self.wfile.write(block)
                    left -= len(block)
        return HTTPStatus.PARTIAL_CONTENT if partial else HTTPStatus.OK

    def api(self, method: str, kind: str, rest: list[str], query: str) -> HTTPStatus:
        repo, width = self.find(kind, rest)
        tail = rest[width:]
        if isinstance(repo, str):
            return self.redirect(repo, f"/api/{kind}/", tail, query)
        if repo is None:
            return self.error(HTTPStatus.NOT_FOUND, "RepoNotFound", "Repository not found")
        action = tail[0] if tail else "revision"
        path = "/".join(unquote(s) for s in tail[2:])
        if action == "revision" and method == "GET":
            return self.json(repo.info())
        if action == "tree" and method == "GET":
            entry = repo.entry(path)
            if entry is None or entry["type"] != "directory":
                return self.error(HTTPStatus.NOT_FOUND, "EntryNotFound", "Entry not found")
            recursive = parse_qs(query).get("recursive", ["false"])[0].lower() in ("1", "true")
            prefix = f"{path}/" if path else ""
            files = [p for p in repo.files() if p.startswith(prefix)]
            if recursive:  # folders too, as the Hub lists them
                folders = {"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)}
                paths = set(files) | {f for f in folders if f.startswith(prefix)}
            else:
                paths = {prefix + p[len(prefix) :].split("/")[0] for p in files}
            return self.json([repo.entry(p) for p in sorted(paths)])
        if action == "paths-info" and method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            if self.headers.get("Content-Type", "").startswith("application/json"):
                asked = json.loads(body or "{}").get("paths", [])
            else:
                asked = parse_qs(body).get("paths", [])
            entries = [repo.entry(p.strip("/")) for p in ([asked] if isinstance(asked, str) else asked)]
            return self.json([e for e in entries if e is not None])
        return self.error(HTTPStatus.NOT_FOUND, "EntryNotFound", f"{action} is not served here")

    def json(self, payload: object) -> HTTPStatus:
        body = json.dumps(payload).encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return HTTPStatus.OK

    def error(self, status: HTTPStatus, code: str, message: str, extra: dict | None = None) -> HTTPStatus:
        body = json.dumps({"error": message}).encode()
        self.send_response(status)
        for name, value in {"X-Error-Code": code, "X-Error-Message": message, **(extra or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return status


class HubHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], root: Path, verbose: bool = False) -> None:
        self.root, self.verbose = Path(root), verbose
        self.requests: deque[tuple[str, str, int]] = deque(maxlen=100_000)  # (method, path, status)
        self._lock = threading.Lock()
        super().__init__(address, Handler)

    def record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.requests.append((method, unquote(path), int(status)))


class HubServer:
    """A running server: `.url`, `.requests` (method, path, status), `.stop()`; a context manager."""

    def __init__(self, httpd: HubHTTPServer) -> None:
        self.httpd = httpd
        host, port = httpd.server_address[:2]
        self.url = f"http://{host}:{port}"
        self.thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        with self.httpd._lock:
            return list(self.httpd.requests)

    def stop(self) -> None:
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.thread.join(5)
        self.httpd.server_close()

    def __enter__(self) -> HubServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(root: Path | str, host: str = "127.0.0.1", port: int = 0, verbose: bool = False) -> HubServer:
    """Serve `root` in a background thread (port 0: any free port); returns the running server."""
    server = HubServer(HubHTTPServer((host, port), Path(root), verbose=verbose))
    server.thread.start()
    return server
