"""Drive JupyterLab in headless Chromium the way a learner does: open a notebook, run it, read the page.

Every wait is bounded and fails with a message that says what it waited for. The server and the
browser are stopped by their own process ids (see `stop_process_tree`).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
MAX_SCREENSHOT_HEIGHT = 14000  # Chromium's texture limit is about 16k pixels
ACTION_TIMEOUT_MS = 30_000  # any single click, fill or locator wait
OPEN_TIMEOUT_S = 90  # page loaded and kernel Idle
START_TIMEOUT_S = 30  # Run All accepted: a prompt turns [*] or gets a number
SERVER_TIMEOUT_S = 120  # a loaded 2-core machine took over 60 s (nbgrader imports take 5-12 s each)
POLL_S = 0.15
MAX_POLL_S = 1.0  # a PagePool polls a wait longer than QUICK_WAIT_S less and less often
QUICK_WAIT_S = 3.0

ERROR_RE = re.compile(
    r"Traceback \(most recent call last\)|^\s*\w*(Error|Exception|Interrupt)\b[^\n]*$", re.MULTILINE
)
STDERR_MIME = "application/vnd.jupyter.stderr"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
PASSED, NOT_YET = "[PASSED]", "[NOT YET]"
SELF_CHECK_RE = re.compile(r"\bcourse\.check(_quiz)?\(")  # course.check_quiz: the quiz notebooks
TYPED_TEXT = "Hugging Face tokenizers split unbelievable words"


class LabError(AssertionError):
    """Something a learner would see go wrong (or a bounded wait that ran out)."""


@dataclass
class Wait:
    """What a browser job waits for: `ready()` returns a true value within `timeout_s` (`what` names it)."""

    ready: Callable[[], Any]
    what: str
    timeout_s: float
    dialogs_ok: bool = False  # else a JupyterLab dialog on the page fails the wait at once


# --------------------------------------------------------------------------- processes


def chromium_path() -> str:
    """The Chromium to drive: $COURSE_CHROMIUM when set, else `chromium` on PATH or /usr/bin/chromium."""
    custom = os.environ.get("COURSE_CHROMIUM")
    candidates = [custom] if custom else [shutil.which("chromium"), "/usr/bin/chromium"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    where = f"COURSE_CHROMIUM={custom}" if custom else "`chromium` on PATH and /usr/bin/chromium"
    raise FileNotFoundError(
        f"Chromium was not found ({where}). The browser tests drive Debian's chromium package: "
        "`apt-get install -y chromium` (.ci/install does it), or set COURSE_CHROMIUM to a Chromium binary."
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """Process ids of all children of `pid`, recursively (empty when psutil is missing or pid gone)."""
    try:
        import psutil

        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except Exception:  # noqa: BLE001 - gone already, or no psutil: nothing to record
        return []


def stop_process_tree(pid: int, known_children: list[int] = (), grace_s: float = 10.0) -> None:
    """SIGTERM `pid`, wait up to `grace_s`, then SIGKILL it and any recorded child still alive."""
    children = set(known_children) | set(descendants(pid))
    _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    for child in [pid, *sorted(children)]:
        if _alive(child):
            _signal(child, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        import psutil

        process = psutil.Process(pid)
        return process.status() != psutil.STATUS_ZOMBIE
    except ImportError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    except Exception:  # noqa: BLE001 - psutil.NoSuchProcess
        return False


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError:
        pass


# --------------------------------------------------------------------------- server


@dataclass
class LabServer:
    """A JupyterLab server on 127.0.0.1 with a token, temporary settings, serving `root`."""

    root: Path
    state: Path  # temporary settings, workspaces, runtime and config folders, and the log
    port: int = 0
    token: str = field(default_factory=lambda: secrets.token_hex(24))
    process: subprocess.Popen | None = None
    children: list[int] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.state / "jupyterlab.log"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def environment(self) -> dict[str, str]:
        settings = self.state / "settings"
        _write_json(
            settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings",
            {"fetchNews": "false", "checkForUpdates": False},
        )
        # Every cell in the DOM (no virtual scrolling), kernels shut down with their notebook, no autosave.
        _write_json(
            settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings",
            {"windowingMode": "none", "kernelShutdown": True, "scrollPastEnd": False},
        )
        _write_json(
            settings / "@jupyterlab" / "docmanager-extension" / "plugin.jupyterlab-settings",
            {"autosave": False},
        )
        # After an error, Run All's queued cells must be cancelled even when their execute requests reach
        # a busy kernel late (ipykernel aborts only requests already queued unless given this window).
        profile = self.state / "ipython" / "profile_default"
        profile.mkdir(parents=True, exist_ok=True)
        (profile / "ipython_kernel_config.py").write_text("c.Kernel.stop_on_error_timeout = 3.0\n")
        env = dict(os.environ)
        env.pop("MPLBACKEND", None)  # the inline backend, as a learner has it (Agg shows no plots)
        env.setdefault("COURSE_FAST", "1")
        env.setdefault("HF_HUB_OFFLINE", "1")
        env.update(
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(self.state / "workspaces"),
            JUPYTER_CONFIG_DIR=str(self.state / "config"),
            JUPYTER_RUNTIME_DIR=str(self.state / "runtime"),
            JUPYTER_DATA_DIR=str(self.state / "data"),
            IPYTHONDIR=str(self.state / "ipython"),
            PYTHONUNBUFFERED="1",
        )
        return env

    def start(self) -> None:
        env = self.environment()
        for _attempt in range(3):  # the free port may be taken between probe and bind
            self.port = free_port()
            command = [
                sys.executable,
                "-m",
                "jupyter",
                "lab",
                "--no-browser",
                "--allow-root",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.token={self.token}",
                f"--ServerApp.root_dir={self.root}",
                "--LabApp.news_url=None",
            ]
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(
                    command,
                    cwd=self.root,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            deadline = time.monotonic() + SERVER_TIMEOUT_S
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    break
                try:
                    self.api("GET", "/api/status", timeout=2)
                    return
                except (OSError, urllib.error.URLError):
                    time.sleep(0.25)
            else:
                self.stop()
                raise LabError(
                    f"JupyterLab did not answer on port {self.port} within {SERVER_TIMEOUT_S} s:\n"
                    + self.log_tail()
                )
        raise LabError("JupyterLab exited at start three times:\n" + self.log_tail())

    def api(self, method: str, path: str, timeout: float = 10) -> Any:
        request = urllib.request.Request(
            f"{self.base_url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def remember_children(self) -> None:
        """Record the kernels' process ids, so that `stop` can end them even if the server hangs."""
        if self.process is not None:
            self.children = sorted(set(self.children) | set(descendants(self.process.pid)))

    def shutdown_kernels(self) -> None:
        """Delete every session (and so its kernel) through the REST API; best effort, bounded."""
        try:
            for session in self.api("GET", "/api/sessions", timeout=5) or []:
                self.api("DELETE", f"/api/sessions/{session['id']}", timeout=15)
            for kernel in self.api("GET", "/api/kernels", timeout=5) or []:
                self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=15)
        except (OSError, urllib.error.URLError, ValueError):
            pass

    def shutdown_kernel_of(self, relpath: str) -> None:
        """Delete the session (and kernel) of one notebook; best effort, bounded."""
        try:
            for session in self.api("GET", "/api/sessions", timeout=5) or []:
                if session.get("path") == relpath:
                    self.api("DELETE", f"/api/sessions/{session['id']}", timeout=15)
        except (OSError, urllib.error.URLError, ValueError):
            pass

    def stop(self) -> None:
        if self.process is None:
            return
        self.remember_children()
        stop_process_tree(self.process.pid, self.children)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.process = None


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


# --------------------------------------------------------------------------- notebooks on disk


def read_notebook(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def nbgrader(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_self_check(cell: dict) -> bool:
    """A learner's self-check: a code cell calling course.check(...) or .check_quiz(...), not a test cell."""
    meta = nbgrader(cell)
    return (
        cell["cell_type"] == "code"
        and bool(SELF_CHECK_RE.search(source(cell)))
        and not meta.get("grade")
        and not meta.get("solution")
    )


def stored_mimes(cell: dict) -> set[str]:
    mimes = set()
    for output in cell.get("outputs", []) or []:
        mimes.update(output.get("data", {}) or {})
        if output.get("output_type") == "error":
            mimes.add("error")
    return mimes


def without_outputs(notebook: dict) -> dict:
    """A copy with outputs and execution counts removed, so that everything shown is fresh."""
    clean = json.loads(json.dumps(notebook))
    for cell in clean["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    clean.get("metadata", {}).pop("widgets", None)
    return clean


# --------------------------------------------------------------------------- the page

SNAPSHOT_JS = """
() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return null;
  const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')];
  return cells.map((c) => ({
    kind: c.classList.contains('jp-CodeCell') ? 'code'
      : (c.classList.contains('jp-MarkdownCell') ? 'markdown' : 'raw'),
    prompt: ((c.querySelector('.jp-InputPrompt') || {}).textContent || '').trim(),
    active: c.classList.contains('jp-mod-active'),
    outputs: [...c.querySelectorAll('.jp-OutputArea-output')].map((o) => ({
      mime: o.getAttribute('data-mime-type') || '',
      text: o.innerText || '',
      images: [...o.querySelectorAll('img')].map((i) => (i.complete ? i.naturalWidth : 0)),
    })),
    widgets: c.querySelectorAll('.jupyter-widgets').length,
    textInputs: c.querySelectorAll('.jupyter-widgets input[type=text], .jupyter-widgets textarea').length,
    stdin: c.querySelectorAll('.jp-Stdin, .jp-InputArea-editor .jp-Stdin-input').length,
  }));
}
"""


@dataclass
class Cell:
    index: int
    kind: str
    prompt: str
    active: bool
    outputs: list[dict]
    widgets: int
    text_inputs: int
    stdin: int

    @property
    def executed(self) -> bool:
        return bool(re.fullmatch(r"\[\d+\]:", self.prompt))

    @property
    def running(self) -> bool:
        return "*" in self.prompt

    @property
    def text(self) -> str:
        return "\n".join(o["text"] for o in self.outputs)

    def errors(self) -> list[str]:
        """Error outputs (tracebacks) shown under this cell, one summary line each."""
        found = []
        for output in self.outputs:
            if output["mime"] == STDERR_MIME and ERROR_RE.search(output["text"]):
                found.append(_error_summary(output["text"]))
        return found

    def images(self) -> list[int]:
        return [w for o in self.outputs if o["mime"] == "image/png" for w in o["images"]]


def _error_summary(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    named = [line for line in lines if re.match(r"^\w*(Error|Exception|Interrupt)\b", line)]
    return (named[-1] if named else lines[-1] if lines else "error")[:300]


class LabPage:
    """One JupyterLab page (a fresh workspace) in which notebooks are opened and closed one at a time.

    Loading JupyterLab costs seconds of CPU, so the page is kept between notebooks: File > Open from
    Path... opens the next one and File > Close and Shut Down Notebook closes it with its kernel. After
    anything unexpected the caller discards the page and the next notebook gets a fresh one.
    """

    def __init__(self, context: Any, server: LabServer):
        self.server, self.label, self.relpath = server, "JupyterLab", ""
        self.page = context.new_page()
        self.page.set_default_timeout(ACTION_TIMEOUT_MS)
        self.page.on("dialog", lambda dialog: dialog.dismiss())  # window.alert/confirm never block
        started = time.monotonic()
        workspace = "w" + secrets.token_hex(4)
        self.page.goto(
            f"{server.base_url}/lab/workspaces/{workspace}?token={server.token}",
            timeout=OPEN_TIMEOUT_S * 1000,
        )
        self.wait_until(
            lambda: self.page.locator(".lm-MenuBar-itemLabel").count() >= 5,
            "JupyterLab's menu bar",
            OPEN_TIMEOUT_S,
        )
        self.wait_until(
            lambda: self.page.locator(".jp-DirListing-content").count(),
            "JupyterLab's file browser",
            OPEN_TIMEOUT_S,
        )
        self.load_s = time.monotonic() - started

    # ----- waits
    def wait_until(
        self, predicate, what: str, timeout_s: float, poll_s: float = POLL_S, dialogs_ok: bool = False
    ):
        """Poll `predicate()` until it returns a true value; fail after `timeout_s` saying `what`.

        A JupyterLab dialog (kernel died, cannot open, ...) fails the wait at once unless `dialogs_ok`.
        """
        deadline = time.monotonic() + timeout_s
        while True:
            if not dialogs_ok:
                self.raise_on_dialog()
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise LabError(
                    f"{self.label}: timed out after {timeout_s:.0f} s waiting for {what}{self.where_stuck()}"
                )
            time.sleep(poll_s)

    def where_stuck(self) -> str:
        try:
            cells = self.cells()
            running = [c.index for c in cells if c.running]
            waiting = [c.index for c in cells if c.stdin]
            return (
                f" (kernel: {self.kernel_status() or '?'}; cells running or queued: {running[:5]}"
                f"{'; cells waiting for input(): ' + str(waiting) if waiting else ''})"
            )
        except Exception as error:  # noqa: BLE001 - diagnosis only
            return f" ({type(error).__name__} while reading the page)"

    def raise_on_dialog(self) -> None:
        dialogs = self.page.locator(".jp-Dialog")
        if dialogs.count():
            text = " | ".join(t.strip().replace("\n", " ") for t in dialogs.all_inner_texts())
            raise LabError(f"{self.label}: JupyterLab shows a dialog: {text[:500]}")

    def kernel_status(self) -> str:
        bar = self.page.locator("#jp-main-statusbar")
        if not bar.count():
            return ""
        match = re.search(r"\|\s*(\w+)", bar.inner_text())
        return match.group(1) if match else ""

    # ----- actions
    def steps_open(
        self, relpath: str, cell_count: int, wait_for_kernel: bool = True
    ) -> Generator[Wait, None, None]:
        """File > Open from Path...; wait until all its cells are drawn (and its kernel is Idle)."""
        self.relpath = self.label = relpath
        self.menu("File", "Open from Path")
        self.page.locator(".jp-Dialog input").fill(relpath)
        self.page.locator(".jp-Dialog input").press("Enter")
        yield Wait(
            lambda: not self.page.locator(".jp-Dialog input").count(),
            "the Open from Path dialog to close",
            30,
            dialogs_ok=True,
        )
        name = relpath.rsplit("/", 1)[-1]
        yield Wait(lambda: self.current_tab() == name, f"a tab called {name}", OPEN_TIMEOUT_S)
        yield Wait(
            lambda: self.page.evaluate(SNAPSHOT_JS) and len(self.cells()) == cell_count,
            f"the notebook's {cell_count} cells to be drawn",
            OPEN_TIMEOUT_S,
        )
        if wait_for_kernel:
            # Run All is silently dropped until the kernel is connected: wait for Idle in the status bar.
            yield Wait(
                lambda: self.kernel_status() == "Idle",
                "the kernel to be Idle in the status bar",
                OPEN_TIMEOUT_S,
            )
        self.server.remember_children()

    def current_tab(self) -> str:
        tab = self.page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel")
        return tab.first.inner_text().strip() if tab.count() else ""

    def steps_close_notebook(self) -> Generator[Wait, None, None]:
        """File > Close and Shut Down Notebook (its kernel too), unsaved changes discarded."""
        self.menu("File", "Close and Shut Down Notebook")
        self.page.locator(".jp-Dialog button", has_text=re.compile("^(Ok|Shut Down)$")).first.click()
        discard = self.page.locator(".jp-Dialog button", has_text=re.compile("^(Discard|Don.t Save)$"))

        def closed() -> bool:
            if discard.count():
                discard.first.click()
            return not self.page.evaluate(SNAPSHOT_JS)

        yield Wait(closed, "the notebook to close", 30, dialogs_ok=True)

    def menu(self, top: str, item: str) -> None:
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(top)}$")).first.click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}")).first.click()

    def cells(self) -> list[Cell]:
        raw = self.page.evaluate(SNAPSHOT_JS)
        if raw is None:
            raise LabError(f"{self.label}: no notebook panel is open")
        return [
            Cell(
                i,
                c["kind"],
                c["prompt"],
                c["active"],
                c["outputs"],
                c["widgets"],
                c["textInputs"],
                c["stdin"],
            )
            for i, c in enumerate(raw)
        ]

    def settled(self, indices: list[int]) -> bool:
        """The kernel is Idle and none of `indices` is queued or running (checked twice, 0.2 s apart)."""
        for attempt in range(2):
            if attempt:
                time.sleep(0.2)
            cells = self.cells()
            stdin = [c.index for c in cells if c.stdin]
            if stdin:
                raise LabError(f"{self.label}: cell {stdin[0]} waits for keyboard input (input())")
            status = self.kernel_status()
            if status in {"Dead", "Unknown"}:
                raise LabError(f"{self.label}: the kernel is {status}")
            if status != "Idle" or any(cells[i].running for i in indices):
                return False
        return True

    # Slow steps are generators of `Wait`s, so that a `PagePool` can interleave several pages.
    def steps_run_all(self, timeout_s: float) -> Generator[Wait, None, float]:
        codes = [c.index for c in self.cells() if c.kind == "code"]
        return (yield from self._steps("Run All Cells", codes, timeout_s))

    def steps_run_above(self, index: int, timeout_s: float) -> Generator[Wait, None, float]:
        self.select(index)
        codes = [c.index for c in self.cells()[:index] if c.kind == "code"]
        return (yield from self._steps("Run All Above Selected Cell", codes, timeout_s))

    def steps_run_cell(self, index: int, timeout_s: float) -> Generator[Wait, None, float]:
        self.select(index)
        kind = self.cells()[index].kind
        codes = [index] if kind == "code" else []
        return (yield from self._steps("Run Selected Cell and Do not Advance", codes, timeout_s))

    def _steps(self, item: str, codes: list[int], timeout_s: float) -> Generator[Wait, None, float]:
        started = time.monotonic()
        self.menu("Run", item)
        if codes:
            yield Wait(
                lambda: any(c.running or c.executed for c in self.cells() if c.index in codes),
                f"'{item}' to start (a prompt turning [*])",
                START_TIMEOUT_S,
            )
        yield Wait(lambda: self.settled(codes), f"'{item}' to finish and the kernel to be Idle", timeout_s)
        return time.monotonic() - started

    def select(self, index: int) -> None:
        cell = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(index)
        cell.scroll_into_view_if_needed()
        cell.locator(".jp-InputPrompt").first.click()
        self.wait_until(lambda: self.cells()[index].active, f"cell {index} to be selected", 10)

    def type_into_widget(self, index: int, text: str = TYPED_TEXT, timeout_s: float = 20) -> tuple[str, str]:
        """Type into the first text box of the widgets under cell `index`; return the output before/after."""
        before = self.cells()[index].text
        box = (
            self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")
            .nth(index)
            .locator(".jupyter-widgets input[type=text], .jupyter-widgets textarea")
            .first
        )
        box.scroll_into_view_if_needed()
        box.fill(text)
        if box.evaluate("e => e.tagName") == "INPUT":
            box.press("Enter")  # widgets with continuous_update=False sync on Enter
        else:
            box.evaluate("e => e.blur()")
        after = self.wait_until(
            lambda: (t := self.cells()[index].text) != before and t,
            f"the widget output of cell {index} to change after typing {text!r}",
            timeout_s,
        )
        self.wait_until(
            lambda: self.kernel_status() == "Idle", "the kernel to be Idle after typing", timeout_s
        )
        return before, self.cells()[index].text or after

    def screenshot(self, path: Path) -> Path:
        """The whole notebook in one image: the viewport is stretched to the notebook's height."""
        path.parent.mkdir(parents=True, exist_ok=True)
        scroller = "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')"
        left = self.page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
        if left.count() and not self.page.locator(".jp-Dialog").count():
            left.first.click(timeout=5000)  # hide the file browser: a wider notebook
        height = self.page.evaluate(f"() => {{ const o = {scroller}; return o ? o.scrollHeight : 0; }}") or 0
        tall = min(max(VIEWPORT["height"], int(height) + 200), MAX_SCREENSHOT_HEIGHT)
        try:
            self.page.set_viewport_size({"width": VIEWPORT["width"], "height": tall})
            self.page.evaluate(f"() => {{ const o = {scroller}; if (o) o.scrollTop = 0; }}")
            self.page.wait_for_timeout(300)
            # JPEG: a 1280 x 10000 PNG takes seconds to encode on 2 cores
            self.page.screenshot(path=str(path), type="jpeg", quality=80, timeout=ACTION_TIMEOUT_MS)
        finally:
            self.page.set_viewport_size(VIEWPORT)
        return path

    def try_screenshot(self, path: Path) -> None:
        """A screenshot of whatever the page shows, when something went wrong (best effort, bounded)."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(path), type="jpeg", quality=80, timeout=10_000)
        except Exception:  # noqa: BLE001 - the page or the browser may be gone
            pass

    def discard(self) -> None:
        """Close the page and its browser context (each page has its own)."""
        try:
            self.page.close(run_before_unload=False)
            self.page.context.close()
        except Exception:  # noqa: BLE001 - the page may be gone with a crashed browser
            pass


# --------------------------------------------------------------------------- several pages at once

Job = Callable[[LabPage, "JobResult"], Generator[Wait, None, None]]


@dataclass
class JobResult:
    """What one notebook's visit found: the problems a learner would see, or the error that stopped it."""

    name: str
    mode: str
    problems: list[str] = field(default_factory=list)
    error: str | None = None
    times: dict[str, float] = field(default_factory=lambda: {"open": 0.0, "run": 0.0, "total": 0.0})

    @property
    def failed(self) -> bool:
        return bool(self.error or self.problems)


@dataclass
class _Slot:
    page: LabPage | None = None
    job: tuple[str, Generator[Wait, None, None], JobResult] | None = None
    wait: Wait | None = None
    deadline: float = 0.0
    started: float = 0.0
    next_poll: float = 0.0
    interval: float = POLL_S
    waiting_since: float = 0.0


class PagePool:
    """`size` JupyterLab pages, each in its own browser context, working through a queue of jobs.

    A job is a generator that does quick browser actions itself and yields a `Wait` for each slow
    one (Run All, a kernel start): while one page's kernel computes, the pool serves the others. The
    kernels run one torch thread each, so two pages keep both cores of the CI machine busy. After a
    failure the page is screenshotted, its kernel shut down and the page replaced.
    """

    def __init__(self, new_page: Callable[[], LabPage], server: LabServer, size: int = 2):
        self.new_page, self.server, self.slots = new_page, server, [_Slot() for _ in range(max(1, size))]
        self.size = len(self.slots)
        self.on_finish: Callable[[JobResult], None] = lambda result: None
        self.screenshot_of: Callable[[str], Path] | None = None

    def run(self, jobs: list[tuple[str, str, Job]]) -> dict[str, JobResult]:
        """Run (name, mode, job) triples; return each name's result when all are done."""
        queue, results = list(jobs), {}
        while queue or any(slot.job for slot in self.slots):
            for slot in self.slots:
                if slot.job is None and queue:
                    name, mode, job = queue.pop(0)
                    results[name] = JobResult(name, mode)
                    self._start(slot, name, job, results[name])
                elif slot.job is not None:
                    self._poll(slot)
            time.sleep(POLL_S / 3)
        return results

    def close(self) -> None:
        for slot in self.slots:
            if slot.page is not None:
                slot.page.discard()
                slot.page = None

    def _start(self, slot: _Slot, name: str, job: Job, result: JobResult) -> None:
        slot.started = time.monotonic()
        try:
            if slot.page is None:
                slot.page = self.new_page()
            slot.job = (name, job(slot.page, result), result)
        except Exception as error:  # noqa: BLE001 - reported as this notebook's failure
            slot.job = (name, iter(()), result)
            self._fail(slot, error)
            return
        self._advance(slot)

    def _poll(self, slot: _Slot) -> None:
        """Check the slot's wait; after QUICK_WAIT_S, poll less often (reading a page costs CPU)."""
        now = time.monotonic()
        if now < slot.next_poll:
            return
        if now - slot.waiting_since > QUICK_WAIT_S:
            slot.interval = min(slot.interval * 1.5, MAX_POLL_S)
        slot.next_poll = now + slot.interval
        try:
            if not slot.wait.dialogs_ok:
                slot.page.raise_on_dialog()
            if slot.wait.ready():
                self._advance(slot)
            elif time.monotonic() > slot.deadline:
                raise LabError(
                    f"{slot.page.label}: timed out after {slot.wait.timeout_s:.0f} s waiting for "
                    f"{slot.wait.what}{slot.page.where_stuck()}"
                )
        except Exception as error:  # noqa: BLE001 - reported as this notebook's failure
            self._fail(slot, error)

    def _advance(self, slot: _Slot) -> None:
        try:
            slot.wait = next(slot.job[1])
            slot.deadline = time.monotonic() + slot.wait.timeout_s
            slot.interval, slot.next_poll, slot.waiting_since = POLL_S, 0.0, time.monotonic()
        except StopIteration:
            self._finish(slot)
        except Exception as error:  # noqa: BLE001 - reported as this notebook's failure
            self._fail(slot, error)

    def _fail(self, slot: _Slot, error: Exception) -> None:
        name, _, result = slot.job
        result.error = f"{type(error).__name__}: {error}" if not isinstance(error, LabError) else str(error)
        if slot.page is not None:
            if self.screenshot_of is not None:
                slot.page.try_screenshot(self.screenshot_of(name))
            slot.page.discard()
            slot.page = None
        self.server.shutdown_kernel_of(name)
        self._finish(slot)

    def _finish(self, slot: _Slot) -> None:
        result = slot.job[2]
        result.times["total"] = time.monotonic() - slot.started
        slot.job, slot.wait = None, None
        self.on_finish(result)


# --------------------------------------------------------------------------- what must be seen


def screenshot_path(artifacts: Path, relpath: str) -> Path:
    """Where the screenshot of a notebook goes: artifacts/<folder>__<name>.jpg."""
    return artifacts / (relpath.replace("/", "__").removesuffix(".ipynb") + ".jpg")


def first_exercise(notebook: dict) -> tuple[int, int]:
    """(index of the first solution cell, index of the first self-check cell after it)."""
    cells = notebook["cells"]
    solution = next(
        (i for i, c in enumerate(cells) if c["cell_type"] == "code" and nbgrader(c).get("solution")), None
    )
    if solution is None:
        raise LabError("the notebook has no exercise (no nbgrader solution cell)")
    check = next((i for i in range(solution + 1, len(cells)) if is_self_check(cells[i])), None)
    if check is None:
        raise LabError(f"no self-check cell (course.check(...)) follows the first exercise (cell {solution})")
    return solution, check


def _shape_problem(notebook: dict, cells: list[Cell]) -> str | None:
    if len(cells) != len(notebook["cells"]):
        return f"the page shows {len(cells)} cells, the file has {len(notebook['cells'])}"
    return None


def solution_problems(notebook: dict, cells: list[Cell], live: bool) -> list[str]:
    """What is wrong on the page of a solution notebook after Run All (live) or as stored.

    `notebook` is the file as stored in the repository: its outputs say which cells plot or show widgets.
    """
    shape = _shape_problem(notebook, cells)
    if shape:
        return [shape]
    problems = []
    code = [i for i, c in enumerate(notebook["cells"]) if c["cell_type"] == "code" and source(c).strip()]
    if not live and not any(notebook["cells"][i].get("outputs") for i in code):
        problems.append("the notebook has no stored outputs (run `course run-notebooks --save` on it)")
    if live:
        not_run = [i for i in code if not cells[i].executed]
        if not_run:
            problems.append(f"{len(not_run)} code cell(s) did not run, first: cell {not_run[0]}")
    for i in code:
        stored = notebook["cells"][i]
        shown = cells[i]
        problems += [f"cell {i} shows an error: {error}" for error in shown.errors()]
        if is_self_check(stored):
            if NOT_YET in shown.text or PASSED not in shown.text:
                verdict = shown.text.strip().splitlines()[0][:200] if shown.text.strip() else "no output"
                problems.append(f"cell {i}: the self-check does not show {PASSED}: {verdict}")
        mimes = stored_mimes(stored)
        if "image/png" in mimes and not any(width > 0 for width in shown.images()):
            problems.append(f"cell {i}: the plot is not shown as an image")
        if live and WIDGET_MIME in mimes and not shown.widgets:
            problems.append(f"cell {i}: the widget did not render")
    return problems


def student_problems(notebook: dict, cells: list[Cell], solution: int, check: int) -> list[str]:
    """What is wrong on the page of a student notebook run from the top to its first self-check."""
    shape = _shape_problem(notebook, cells)
    if shape:
        return [shape]
    problems = []
    for i in range(solution):
        if cells[i].kind != "code" or not source(notebook["cells"][i]).strip():
            continue
        if not cells[i].executed:
            problems.append(f"cell {i} (before the first exercise) did not run")
        problems += [f"cell {i} (before the first exercise) shows an error: {e}" for e in cells[i].errors()]
    for i in range(solution, check):
        problems += [
            f"cell {i} (first exercise) shows an error: {e}"
            for e in cells[i].errors()
            if not e.startswith("NotImplementedError")
        ]
    shown = cells[check]
    if not shown.executed:
        problems.append(f"cell {check}: the first self-check did not run")
    problems += [
        f"cell {check}: the first self-check shows an error instead of {NOT_YET}: {e}" for e in shown.errors()
    ]
    if NOT_YET not in shown.text:
        verdict = shown.text.strip().splitlines()[0][:200] if shown.text.strip() else "no output"
        problems.append(f"cell {check}: the first self-check does not show {NOT_YET}: {verdict}")
    return problems
