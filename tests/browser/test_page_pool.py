"""The PagePool's bookkeeping, with stand-in pages: no browser needed, so these run in a blink."""

from __future__ import annotations

import itertools

from browser_harness import JobResult, LabError, PagePool, Wait


class FakePage:
    """Just what the pool calls on a LabPage."""

    count = itertools.count()

    def __init__(self) -> None:
        self.label, self.number, self.discarded, self.dialog = "fake", next(self.count), False, False

    def raise_on_dialog(self) -> None:
        if self.dialog:
            raise LabError("fake: JupyterLab shows a dialog: Kernel Restarting")

    def where_stuck(self) -> str:
        return " (stuck here)"

    def try_screenshot(self, path) -> None:  # noqa: ANN001
        pass

    def discard(self) -> None:
        self.discarded = True


class FakeServer:
    def __init__(self) -> None:
        self.shut_down: list[str] = []

    def shutdown_kernel_of(self, relpath: str) -> None:
        self.shut_down.append(relpath)


def make_pool(size: int = 2) -> tuple[PagePool, FakeServer, list[FakePage]]:
    server, pages = FakeServer(), []

    def new_page() -> FakePage:
        pages.append(FakePage())
        return pages[-1]

    return PagePool(new_page, server, size=size), server, pages


def test_jobs_run_side_by_side_and_each_gets_its_result():
    pool, _, pages = make_pool(size=2)
    log = []

    def job(name: str, polls: int):
        def run(page, result: JobResult):
            log.append(f"start {name}")
            counter = iter(range(polls, -1, -1))
            yield Wait(lambda: next(counter) == 0, f"{name} to finish", 30)
            result.problems = [f"{name} saw something"] if name == "b" else []
            log.append(f"end {name}")

        return run

    finished = []
    pool.on_finish = finished.append
    results = pool.run([("a", "test", job("a", 5)), ("b", "test", job("b", 1)), ("c", "test", job("c", 1))])
    assert log[:2] == ["start a", "start b"], "two pages: the first two jobs start together"
    assert log.index("end b") < log.index("end a"), "a short job does not wait for a long one"
    assert log.index("start c") < log.index("end a"), "the freed page takes the next job at once"
    assert len(pages) == 2, "pages are reused between jobs"
    assert not results["a"].failed and results["b"].problems == ["b saw something"]
    assert [r.name for r in finished] == ["b", "c", "a"]


def test_a_timeout_fails_only_its_job_with_what_it_waited_for():
    pool, server, pages = make_pool(size=1)

    def stuck(page, result):
        yield Wait(lambda: False, "something that never happens", 0.3)

    def fine(page, result):
        yield Wait(lambda: True, "nothing", 5)

    results = pool.run([("nb/stuck.ipynb", "test", stuck), ("nb/fine.ipynb", "test", fine)])
    error = results["nb/stuck.ipynb"].error
    assert error == "fake: timed out after 0 s waiting for something that never happens (stuck here)"
    assert pages[0].discarded and len(pages) == 2, "a failed page is replaced"
    assert server.shut_down == ["nb/stuck.ipynb"], "the failed notebook's kernel is shut down"
    assert results["nb/fine.ipynb"].error is None


def test_a_dialog_or_an_exception_fails_the_job_unless_dialogs_are_expected():
    pool, _, _ = make_pool(size=1)

    def dialog(page, result):
        page.dialog = True
        yield Wait(lambda: False, "a run", 30)

    def closing(page, result):
        page.dialog = True  # closing a notebook shows a dialog on purpose
        yield Wait(lambda: True, "the notebook to close", 30, dialogs_ok=True)

    def broken(page, result):
        raise ValueError("no such cell")
        yield  # pragma: no cover - makes this a generator

    results = pool.run([("d", "t", dialog), ("c", "t", closing), ("b", "t", broken)])
    assert results["d"].error == "fake: JupyterLab shows a dialog: Kernel Restarting"
    assert results["c"].error is None
    assert results["b"].error == "ValueError: no such cell"
