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
    JobResult,
    LabPage,
    LabServer,
    PagePool,
    chromium_path,
    descendants,
    screenshot_path,
    stop_process_tree,
)

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "browser"
FIXTURES = REPO / "tests" / "fixtures" / "browser"
CLOSE_TIMEOUT_S = 20
PAGES = int(os.environ.get("COURSE_BROWSER_PAGES", "2"))  # notebooks run side by side

TIMINGS: list[JobResult] = []  # one row per notebook, printed at the end of the session


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
def browser(chromium):
    """Headless Chromium (Debian's, driven by Playwright); stopped by its PIDs."""
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
        # Playwright's driver (node) and Chromium are the processes that appeared just now.
        ours = sorted(set(descendants(os.getpid())) - before)
        print(f"\nChromium {browser.version} up in {time.monotonic() - started:.1f} s (pids {ours})")
        yield browser
    finally:
        ours = ours or sorted(set(descendants(os.getpid())) - before)
        pids = sorted({pid for top in ours for pid in [top, *descendants(top)]})
        if browser is not None:
            _with_watchdog(browser.close, pids, CLOSE_TIMEOUT_S)
        _with_watchdog(playwright.stop, pids, CLOSE_TIMEOUT_S)
        for pid in pids:  # whatever is still alive
            stop_process_tree(pid, grace_s=2)


@pytest.fixture(scope="session")
def lab_pool(browser, lab_server, artifacts):
    """PAGES JupyterLab pages (COURSE_BROWSER_PAGES, default 2), each in its own browser context."""

    def new_page() -> LabPage:
        page = LabPage(browser.new_context(viewport=VIEWPORT), lab_server)
        print(f"\nJupyterLab loaded in the browser in {page.load_s:.1f} s")
        return page

    pool = PagePool(new_page, lab_server, size=PAGES)
    pool.screenshot_of = lambda relpath: screenshot_path(artifacts, relpath)
    pool.on_finish = lambda result: TIMINGS.append(result)
    yield pool
    pool.close()
    lab_server.shutdown_kernels()


def pytest_terminal_summary(terminalreporter):
    if not TIMINGS:
        return
    terminalreporter.section("browser: time per notebook")
    total = 0.0
    for row in TIMINGS:
        total += row.times["total"]
        outcome = "failed" if row.failed else "passed"
        terminalreporter.write_line(
            f"{row.times['total']:6.1f} s  {outcome:7} {row.mode:14} {row.name}  "
            f"(open {row.times['open']:.1f} s, run {row.times['run']:.1f} s, "
            f"screenshot {row.times.get('screenshot', 0):.1f} s, close {row.times.get('finish', 0):.1f} s)"
        )
    terminalreporter.write_line(
        f"{total:6.1f} s  in {len(TIMINGS)} notebooks on {PAGES} page(s) at once; "
        f"screenshots in {os.path.relpath(ARTIFACTS, REPO)}/"
    )
