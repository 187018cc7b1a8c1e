"""Fixtures of the browser tests: one JupyterLab server and one headless Chromium for the session.

The server serves a temporary copy of solutions/, notebooks/ and the fixture notebooks, so that
JupyterLab's checkpoints and the kernels' files never land in the repository; kernels start in that
copy (their cwd is the notebook's folder there) and import the editable `course` install.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from browser_harness import (
    CHROMIUM_ARGS,
    VIEWPORT,
    LabPage,
    LabServer,
    chromium_path,
    descendants,
    stop_process_tree,
)

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "browser"
FIXTURES = REPO / "tests" / "fixtures" / "browser"
CLOSE_TIMEOUT_S = 20

TIMINGS: list[dict] = []  # one row per notebook, printed at the end of the session


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """artifacts/browser/, emptied of the screenshots of earlier runs."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in [*ARTIFACTS.glob("*.png"), *ARTIFACTS.glob("*.jpg")]:
        old.unlink()
    return ARTIFACTS


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory) -> Path:
    """The folder JupyterLab serves: copies of solutions/, notebooks/ and the fixture notebooks."""
    root = tmp_path_factory.mktemp("lab-root")
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for name in ("solutions", "notebooks"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name, ignore=ignore)
    shutil.copytree(FIXTURES, root / "fixtures", ignore=ignore)
    return root


@pytest.fixture(scope="session")
def chromium() -> str:
    try:
        return chromium_path()
    except FileNotFoundError as error:
        message = str(error)
    pytest.fail(message, pytrace=False)  # outside `except`: one clear message, no chained traceback


@pytest.fixture(scope="session")
def lab_server(lab_root, chromium, tmp_path_factory):
    """`jupyter lab` on 127.0.0.1:<free port> with a token and temporary settings; stopped by its PID."""
    server = LabServer(root=lab_root, state=tmp_path_factory.mktemp("lab-state"))
    started = time.monotonic()
    try:
        server.start()
    except Exception:
        server.stop()
        raise
    print(
        f"\nJupyterLab up in {time.monotonic() - started:.1f} s on port {server.port} "
        f"(pid {server.process.pid})"
    )
    yield server
    server.shutdown_kernels()
    server.stop()


def _with_watchdog(action, pids: list[int], timeout_s: float) -> None:
    """Run `action`; if it has not returned after `timeout_s`, end `pids` so that it returns."""
    timer = threading.Timer(timeout_s, lambda: [stop_process_tree(pid, grace_s=2) for pid in pids])
    timer.start()
    try:
        action()
    except Exception:  # noqa: BLE001 - closing a browser that is already gone
        pass
    finally:
        timer.cancel()


@pytest.fixture(scope="session")
def browser_context(chromium):
    """Headless Chromium (Debian's, driven by Playwright) and one context; stopped by their PIDs."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None:
        pytest.fail("the Python package playwright is missing: pip install -e '.[dev]'", pytrace=False)
    started = time.monotonic()
    before = set(descendants(os.getpid()))
    playwright = sync_playwright().start()
    browser, ours = None, []
    try:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS, timeout=60_000
        )
        context = browser.new_context(viewport=VIEWPORT)
        # Playwright's driver (node) and Chromium are the processes that appeared just now.
        ours = sorted(set(descendants(os.getpid())) - before)
        print(f"\nChromium {browser.version} up in {time.monotonic() - started:.1f} s (pids {ours})")
        yield context
    finally:
        ours = ours or sorted(set(descendants(os.getpid())) - before)
        pids = sorted({pid for top in ours for pid in [top, *descendants(top)]})
        if browser is not None:
            _with_watchdog(browser.close, pids, CLOSE_TIMEOUT_S)
        _with_watchdog(playwright.stop, pids, CLOSE_TIMEOUT_S)
        for pid in pids:  # whatever is still alive
            stop_process_tree(pid, grace_s=2)


class Pages:
    """The JupyterLab page the tests share; after a failure `discard()` gives the next test a fresh one."""

    def __init__(self, context, server: LabServer):
        self.context, self.server, self.current = context, server, None

    def get(self) -> LabPage:
        if self.current is None:
            self.current = LabPage(self.context, self.server)
            print(f"\nJupyterLab loaded in the browser in {self.current.load_s:.1f} s")
        return self.current

    def discard(self) -> None:
        if self.current is not None:
            self.current.discard()
            self.current = None


@pytest.fixture(scope="session")
def lab_pages(browser_context, lab_server):
    pages = Pages(browser_context, lab_server)
    yield pages
    pages.discard()


@pytest.fixture
def record_time(request):
    """Collect the time of each notebook (printed in the summary; also printed at once with -s)."""
    rows: list[dict] = []
    yield rows.append
    for row in rows:
        report = getattr(request.node, "rep_call", None)
        row["outcome"] = report.outcome if report else "error"
        TIMINGS.append(row)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == "call":
        item.rep_call = report
    return report


def pytest_terminal_summary(terminalreporter):
    if not TIMINGS:
        return
    terminalreporter.section("browser: time per notebook")
    total = 0.0
    for row in TIMINGS:
        total += row["total"]
        terminalreporter.write_line(
            f"{row['total']:6.1f} s  {row['outcome']:7} {row['mode']:14} {row['notebook']}  "
            f"(open {row['open']:.1f} s, run {row['run']:.1f} s)"
        )
    terminalreporter.write_line(
        f"{total:6.1f} s  in {len(TIMINGS)} notebooks; screenshots in {os.path.relpath(ARTIFACTS, REPO)}/"
    )
