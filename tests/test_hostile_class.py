"""A hostile class (issue #23): the trusted side treats SUBMITTED as hostile input, every sandbox gets its
share of the CPU, the kernel reaches nothing of the host, and no page the grader writes carries active
content.

One `grade` run (the tiny fixture assignment, --jobs 2, 5 s cell timeout) over a class in which every
student attacks something, beside honest students: symlinked notebooks, folders, assignment folders and
timestamps; a FIFO; deep and value-heavy JSON; names that are not ids or that are the grader's own files;
active HTML in outputs and markdown; output amplification; a base64 leak of the hidden tests; a kernel
that writes through every inherited descriptor, one that redirects its sockets to a host socket, and
one that starts busy processes in their own sessions beside an honest neighbour. Then fast unit tests
of each defence on its own.
"""

from __future__ import annotations

import base64
import csv
import os
import socket
import threading
import zlib
from pathlib import Path

import nbformat
import pytest

from course.grading import intake, ipc, sanitize
from course.grading.grade import grade
from course.grading.report import summary_lines
from course.grading.submissions import Submission, discover, prescreen

pytestmark = pytest.mark.grading

FIXTURE = Path(__file__).parent / "fixtures" / "grading" / "solutions"
BASICS, WORDS = "01_basics", "02_words"
HIDDEN_LINE = 'emit("squares", [square(n) for n in (0, -4, 12)], hint="negative numbers too")'


def solution(name: str = BASICS):
    return nbformat.read(FIXTURE / "fixture" / f"{name}.ipynb", as_version=4)


def cell(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def with_code(grade_id: str, extra: str, nb=None):
    """The solution, with `extra` code run at the end of the answer cell `grade_id`."""
    nb = nb or solution()
    cell(nb, grade_id).source += "\n" + extra
    return nb


ACTIVE_HTML = (
    "<img src=x onerror=alert(1)><script>alert(2)</script><a href='javascript:alert(3)'>go</a>"
    "<iframe srcdoc='<script>alert(4)</script>'></iframe><svg onload=alert(5)></svg>"
)
XSS = f"""
class Shown:
    def _repr_html_(self):
        return {ACTIVE_HTML!r}
Shown()
"""
AMPLIFY = "print('x' * 1_900_000)"
LEAK = "import base64\nprint(base64.encodebytes(chr(10).join(In).encode()).decode())"
FORGE = """
import os
for fd in os.listdir('/proc/self/fd'):
    try:
        with open(f'/proc/self/fd/{fd}', 'w') as handle:
            handle.write('FORGED first line\\n' + 'FORGED padding ' * 70_000)
    except OSError:
        pass
"""
STARVE = """
import os
for _ in range(30):
    if os.fork() == 0:
        os.setsid()
        while True:
            pass
"""


def redirect(host_socket: str) -> str:
    return f"""
import glob, os
for path in glob.glob('/tmp/.kernel/ipc-*'):
    os.unlink(path)
    os.symlink({host_socket!r}, path)
"""


def put(root: Path, student: str, name: str, nb) -> Path:
    folder = root / student / "fixture"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    if isinstance(nb, (str, bytes)):
        path.write_bytes(nb.encode() if isinstance(nb, str) else nb)
    else:
        nbformat.write(nb, path)
    return path


class HostSocket:
    """A Unix socket on the host that counts who connects to it (nobody should)."""

    def __init__(self, folder: Path):
        self.path = str(folder / "host.sock")
        self.connections = 0
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(self.path)
        os.chmod(self.path, 0o777)
        self.server.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


def hostile_class(root: Path, host: HostSocket) -> None:
    """The submissions; EXPECTED says what each earns."""
    source = FIXTURE / "fixture"
    put(root, "honest", BASICS, solution())
    put(root, "honest", WORDS, solution(WORDS))
    (root / "linked" / "fixture").mkdir(parents=True)
    os.symlink(source / f"{BASICS}.ipynb", root / "linked" / "fixture" / f"{BASICS}.ipynb")
    os.symlink(root / "honest", root / "linkdir")  # a student folder linked to another student
    (root / "linkassign").mkdir()
    os.symlink(source, root / "linkassign" / "fixture")  # an assignment folder linked to the solutions
    put(root, "stamped", BASICS, solution())
    os.symlink("/etc/shadow", root / "stamped" / "fixture" / "timestamp.txt")
    put(root, "badstamp", BASICS, solution())
    (root / "badstamp" / "fixture" / "timestamp.txt").write_text("the day before the deadline")
    put(root, "deep", BASICS, "[" * 100_000 + "]" * 100_000)
    put(root, "many", BASICS, '{"cells": [], "metadata": {"x": [' + "0," * 1_200_000 + "0]}}")
    (root / "fifo" / "fixture").mkdir(parents=True)
    os.mkfifo(root / "fifo" / "fixture" / f"{BASICS}.ipynb")
    put(root, "template.db", BASICS, solution())
    put(root, "gradebook", BASICS, solution())
    put(root, "newline\n", BASICS, solution())
    xss = with_code("ex2", XSS)
    markdown = "<script>alert(6)</script> [go](javascript:alert(7)) <img src=x onerror=alert(8)>"
    xss.cells.insert(1, nbformat.v4.new_markdown_cell(markdown))
    put(root, "xss", BASICS, xss)
    amplifier = solution()
    for _ in range(4):
        amplifier.cells.insert(-1, nbformat.v4.new_code_cell(AMPLIFY))
    put(root, "amplifier", BASICS, amplifier)
    put(root, "leaky", BASICS, with_code("ex2", LEAK))
    put(root, "forger", BASICS, with_code("ex3", FORGE))
    put(root, "redirect", BASICS, with_code("ex2", redirect(host.path)))
    put(root, "h-starver", BASICS, with_code("ex3", STARVE))  # graded beside "honest" (--jobs 2)


# student -> (01_basics, 02_words) scores; a notebook not submitted scores 0
EXPECTED = {
    "honest": (6, 1),
    "linked": (0, 0),
    "linkdir": (0, 0),
    "linkassign": (0, 0),
    "stamped": (6, 0),
    "badstamp": (6, 0),
    "deep": (0, 0),
    "many": (0, 0),
    "fifo": (0, 0),
    "xss": (6, 0),
    "amplifier": (6, 0),
    "leaky": (6, 0),
    "forger": (6, 0),
    "redirect": (6, 0),
    "h-starver": (6, 0),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from course.grading import sandbox

    if sandbox.unavailable():  # as tests/test_sandbox.py: the kernel-side attacks need the sandbox
        pytest.skip(f"no sandbox here: {sandbox.unavailable()}")
    root = tmp_path_factory.mktemp("submitted")
    host = HostSocket(tmp_path_factory.mktemp("host"))
    hostile_class(root, host)
    before = {**snapshot(FIXTURE.parent), **snapshot(root)}
    out = tmp_path_factory.mktemp("graded")
    run = grade(root, out, jobs=2, timeout=5, source_root=FIXTURE, progress=False)
    after = {**snapshot(FIXTURE.parent), **snapshot(root)}
    outside = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    print("\n".join(summary_lines(run)))
    by_key = {(o.submission.student, o.submission.notebook): o for o in run.outcomes}
    return run, by_key, out, host, outside


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()
    }


def problems(by_key, student: str, notebook: str = BASICS) -> str:
    return " | ".join(by_key[(student, notebook)].problems)


def test_the_run_finishes_with_exactly_the_points_earned(graded):
    run, by_key, out, _, outside = graded
    got = {s: (by_key[(s, BASICS)].score, by_key[(s, WORDS)].score) for s in EXPECTED}
    assert got == {s: tuple(float(v) for v in pair) for s, pair in EXPECTED.items()}
    assert run.exit_code == 0  # students attacked; grading itself did not fail
    assert outside == []  # the solutions and SUBMITTED were read, never written
    with open(out / "scores.csv") as handle:
        rows = [r["student"] for r in csv.DictReader(handle)]
    assert sorted(r for r in rows if r != "(max)") == sorted(EXPECTED)  # no quoted or reserved rows


def test_links_and_special_files_are_refused_per_student(graded):
    _, by_key, _, _, _ = graded
    assert "01_basics.ipynb is a symbolic link" in problems(by_key, "linked")
    assert "student folder is a symbolic link" in problems(by_key, "linkdir")
    assert "student folder is a symbolic link" in problems(by_key, "linkdir", WORDS)
    assert "assignment folder is a symbolic link" in problems(by_key, "linkassign")
    assert "special file" in problems(by_key, "fifo")
    assert "timestamp.txt is a symbolic link" in problems(by_key, "stamped")
    assert "timestamp.txt is not a date" in problems(by_key, "badstamp")


def test_deep_and_value_heavy_json_are_refused_before_parsing(graded):
    _, by_key, _, _, _ = graded
    assert "JSON nested too deep" in problems(by_key, "deep")
    assert "too many JSON values" in problems(by_key, "many")
    assert by_key[("deep", BASICS)].status == "invalid"


def test_hostile_names_are_notes_not_rows(graded):
    run, by_key, out, _, _ = graded
    notes = "\n".join(run.notes)
    for name in ("template.db", "gradebook", "newline\n"):
        assert f"{name!r}: " in notes
        assert not any(s == name for s, _ in by_key)
    assert (out / "nbgrader" / "gradebook.db").is_file()


def html_pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if "cache" not in p.parts)


def test_no_page_carries_active_content(graded):
    _, _, out, _, _ = graded
    pages = html_pages(out)
    assert (out / "feedback" / "xss" / "fixture" / f"{BASICS}.html") in pages
    assert (out / "report.html") in pages and len(pages) > 10
    for page in pages:
        assert sanitize.active_content(page.read_text()) == [], page
    feedback = (out / "feedback" / "xss" / "fixture" / f"{BASICS}.html").read_text()
    assert "alert(6)" not in feedback and "alert(8)" not in feedback  # the markdown's script and handler
    assert "[go](javascript:alert(7))" in feedback or "alert(7)" not in feedback  # inert text at most


def test_hidden_tests_are_redacted_in_base64_too(graded):
    _, by_key, out, _, _ = graded
    feedback = (out / "feedback" / "leaky" / "fixture" / f"{BASICS}.html").read_text()
    assert "output hidden by the grader" in feedback
    assert not any(HIDDEN_LINE in form for form in sanitize.decodings(feedback))


def test_output_is_capped_per_cell_and_per_notebook(graded):
    _, by_key, out, _, _ = graded
    assert "huge output truncated" in problems(by_key, "amplifier")
    autograded = out / "nbgrader" / "autograded" / "amplifier" / "fixture" / f"{BASICS}.ipynb"
    assert autograded.stat().st_size < 6_000_000  # 4 x 1.9 MB printed, 5 MB kept
    assert (out / "feedback" / "amplifier" / "fixture" / f"{BASICS}.html").stat().st_size < 7_000_000


def test_the_kernel_cannot_write_the_graders_log(graded):
    _, _, out, _, _ = graded
    log = out / "logs" / f"forger__fixture__{BASICS}.log"
    lines = log.read_text().splitlines()
    assert "FORGED" not in lines[0] and log.stat().st_size < 200_000
    assert all(line.startswith("[kernel] ") for line in lines if "FORGED" in line)


def test_the_worker_never_follows_the_kernels_socket_links(graded):
    _, by_key, _, host, _ = graded
    assert by_key[("redirect", BASICS)].score == 6  # the later cells ran through the pinned sockets
    assert host.connections == 0


def test_a_cpu_starving_neighbour_takes_nothing_from_the_honest(graded):
    run, by_key, _, _, _ = graded
    assert by_key[("honest", BASICS)].score == 6 and not by_key[("honest", BASICS)].problems[:1]
    from course.grading import sandbox

    share = sandbox.cgroups_available() and sandbox.cpu_share_available()  # here (Debian 12, root, v1): True
    assert ("an equal CPU share" in "\n".join(run.notes)) is share


# --- each defence on its own (no kernel) -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name, usable",
    [
        ("alice", True),
        ("j.doe+1@uni", True),
        ("template.db", False),
        ("Gradebook", False),
        ("bob\n", False),
        ("a__b", False),
        ("..", False),
        ("x/y", False),
        ("results.json", False),
        ("_reference", False),
        ("é", False),
        ("a" * 65, False),
    ],
)
def test_names(name, usable):
    assert (intake.name_problem(name) == "") is usable


def test_structure_limits_on_bytes():
    assert intake.structure_problem(b'{"cells": [{"source": "a, b: [c] {d}"}]}') == ""
    text = b'{"cells": [], "metadata": {"t": "' + b"[{,:" * 600_000 + b'"}}'  # signs inside a string
    assert intake.structure_problem(text) == ""  # the exact count ignores strings
    assert "nested too deep" in intake.structure_problem(b"[" * 65 + b"]" * 65)
    assert intake.structure_problem(b"[" * 64 + b"]" * 64) == ""
    assert "too many JSON values" in intake.structure_problem(b"[" + b"0," * 1_000_001 + b"0]")


def test_prescreen_refuses_a_json_bomb_within_a_memory_bound(tmp_path):
    import time
    import tracemalloc

    bomb = tmp_path / "bomb.ipynb"
    bomb.write_bytes(b'{"cells": [], "metadata": {"x": [' + b"{}," * 3_000_000 + b"{}]}}")
    sub = Submission("s", "a", "bomb", path=bomb)
    tracemalloc.start()
    started = time.perf_counter()
    assert not prescreen(sub, tmp_path / "out.ipynb")
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "too many JSON values" in sub.problem and not (tmp_path / "out.ipynb").exists()
    assert peak < 4 * bomb.stat().st_size and seconds < 10  # json.loads would build 3 million dicts


def test_prescreen_caps_cells_and_the_cleared_size(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1") for _ in range(2_001)])
    path = tmp_path / "cells.ipynb"
    nbformat.write(notebook, path)
    sub = Submission("s", "a", "cells", path=path)
    assert not prescreen(sub, tmp_path / "out.ipynb") and "too many cells" in sub.problem
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("y" * 17_000_000)])
    nbformat.write(notebook, path)
    sub = Submission("s", "a", "cells", path=path)
    assert not prescreen(sub, tmp_path / "out.ipynb") and "once its outputs are cleared" in sub.problem


def test_discover_copies_bytes_and_never_follows_links(tmp_path):
    root, copies = tmp_path / "submitted", tmp_path / "intake"
    put(root, "alice", BASICS, solution())
    os.symlink("/etc/passwd", root / "alice" / "fixture" / f"{WORDS}.ipynb")
    (root / "bob").mkdir()
    os.symlink("/dev/zero", root / "bob" / "fixture")
    (root / "carol" / "fixture").mkdir(parents=True)
    os.mkfifo(root / "carol" / "fixture" / f"{BASICS}.ipynb")  # opening it would block forever
    (root / "carol" / "fixture" / f"{WORDS}.ipynb").touch()
    os.truncate(root / "carol" / "fixture" / f"{WORDS}.ipynb", 101 * 2**20)  # sparse: 101 MiB, no disk
    batch = discover(root, {"fixture": [BASICS, WORDS]}, copies)
    subs = {(s.student, s.notebook): s for s in batch.submissions}
    alice = subs[("alice", BASICS)]
    assert alice.path == copies / "alice" / "fixture" / f"{BASICS}.ipynb" and not alice.path.is_symlink()
    assert alice.path.read_bytes() == (root / "alice" / "fixture" / f"{BASICS}.ipynb").read_bytes()
    assert "symbolic link" in subs[("alice", WORDS)].problem and subs[("alice", WORDS)].path is None
    assert "assignment folder is a symbolic link" in subs[("bob", BASICS)].problem
    assert "special file" in subs[("carol", BASICS)].problem
    assert "too large to grade (101.0 MiB > 100 MiB)" in subs[("carol", WORDS)].problem
    assert not (copies / "carol" / "fixture" / f"{WORDS}.ipynb").exists()


def test_clean_html_keeps_text_and_images_and_drops_active_content():
    png = "data:image/png;base64,iVBORw0KGgo="
    page = (
        f"<html><head><title>t</title><script>x()</script></head><body><p>Score 6 / 6</p>"
        f"<img src='{png}' alt='plot'>{ACTIVE_HTML}<a href='https://example.org'>docs</a>"
        "<a href='data:text/html,<script>1</script>'>d</a><a href='&#106;avascript:alert(1)'>e</a>"
        "<object data='x.swf'></object><form action='javascript:1'><input></form>"
        "<div style='background:url(javascript:1)' onclick='x()'>box</div></body></html>"
    )
    assert len(sanitize.active_content(page)) >= 8
    clean = sanitize.clean_html(page)
    assert sanitize.active_content(clean) == []
    assert "Score 6 / 6" in clean and png in clean and "https://example.org" in clean
    assert "alert" not in clean and "style=" not in clean and "onclick" not in clean


def test_decodings_find_hidden_tests_in_encoded_forms():
    text = f"before\n{HIDDEN_LINE}\nafter"
    for encoded in (
        base64.b64encode(text.encode()).decode(),
        base64.encodebytes(text.encode()).decode(),  # wrapped at 76 characters
        "xx" + base64.urlsafe_b64encode(text.encode()).decode(),
        base64.b64encode(zlib.compress(text.encode())).decode(),
        text.encode().hex(),
        text[::-1],
    ):
        assert any(HIDDEN_LINE in form for form in sanitize.decodings(f"noise {encoded} noise"))
    assert not any(HIDDEN_LINE in form for form in sanitize.decodings("an honest output, 42"))


def test_pinned_sockets_ignore_links_swapped_in_later(tmp_path):
    """The worker's route to a kernel socket is the inode it checked, not the kernel's path."""
    (tmp_path / "tmp" / ".kernel").mkdir(parents=True)
    kernel = socket.socket(socket.AF_UNIX)
    kernel.bind(str(tmp_path / "tmp" / ".kernel" / "ipc-5"))
    kernel.listen(4)
    host = HostSocket(tmp_path)
    pins = ipc.pin_sockets(str(tmp_path), "/tmp/.kernel", "ipc", [5], os.geteuid(), lambda: True, 5)
    ip, links = ipc.link_pins(pins)
    try:
        os.unlink(tmp_path / "tmp" / ".kernel" / "ipc-5")
        os.symlink(host.path, tmp_path / "tmp" / ".kernel" / "ipc-5")  # the kernel redirects
        client = socket.socket(socket.AF_UNIX)
        client.connect(f"{ip}-5")
        assert kernel.accept()[0] and host.connections == 0
        with pytest.raises(ipc.SocketsRefused):  # a link found when pinning is refused outright
            ipc.pin_sockets(str(tmp_path), "/tmp/.kernel", "ipc", [5], os.geteuid(), lambda: True, 5)
    finally:
        ipc.close_pins(pins)
        ipc.remove_links(links)
    assert not links.exists()


def test_kernel_output_goes_through_a_capped_marked_pipe():
    import io
    import time

    read, write = ipc.kernel_pipe()
    sink = io.StringIO()
    thread = ipc.drain(read, sink, limit=1000)
    os.write(write, b"FORGED first line\n" + b"z" * 5000 + b"\n\x1b[2Jlast\n")
    os.close(write)
    thread.join(5)
    time.sleep(0.01)
    lines = sink.getvalue().splitlines()
    assert all(line.startswith("[kernel] ") for line in lines) and len(sink.getvalue()) < 1700
    assert "more output dropped" in lines[-1] and "\x1b" not in sink.getvalue()


def test_each_sandbox_gets_a_cpu_share_and_a_quota():
    from course.grading import sandbox

    settings = sandbox._cgroup_settings(sandbox.Sandbox().limits(), cpus=1)
    assert settings["v1-cpu"] == {
        "cpu.shares": 1024,
        "cpu.cfs_period_us": 100_000,
        "cpu.cfs_quota_us": 100_000,
    }
    assert settings["v2"]["cpu.max"] == "100000 100000" and settings["v2"]["cpu.weight"] == 100
    assert sandbox.Sandbox().processes == 64 and sandbox.Sandbox().limits()["processes"] <= 64
    if sandbox._v1_root("cpu") is None and sandbox._v2_root() is None:
        return  # no writable cpu controller here: the settings above are all that can be checked
    name = f"course-hostile-test-{os.getpid()}"
    made = sandbox.make_cgroups(f"{name}/1", sandbox.Sandbox().limits(), cpus=1)
    try:
        folders = [Path(p).parent for p in made]
        quotas = [(f / "cpu.cfs_quota_us").read_text() for f in folders if (f / "cpu.cfs_quota_us").exists()]
        quotas += [(f / "cpu.max").read_text().split()[0] for f in folders if (f / "cpu.max").exists()]
        assert [q.strip() for q in quotas] == ["100000"], made
    finally:
        sandbox.sweep(None, made)
        sandbox.remove_cgroup_parent(name)


def test_the_fair_timeout_counts_time_spent_waiting_for_a_cpu():
    from types import SimpleNamespace

    from course.grading import fairness

    before = fairness.waits([os.getpid()])
    assert before and all(v >= 0 for v in before.values())
    km = SimpleNamespace(provisioner=SimpleNamespace(process=SimpleNamespace(pid=os.getpid())))
    assert fairness.kernel_pids(km) == [os.getpid()]
    starved = {key: ns + 2_000_000_000 for key, ns in before.items()}  # 2 s on a run queue
    assert fairness.waited_s(before, starved) == pytest.approx(2.0)
    assert fairness.waited_s(before, before) == 0


def test_a_starved_cell_gets_one_more_timeout_and_a_looping_one_none(monkeypatch):
    import asyncio

    from course.grading import fairness
    from course.grading.preprocessors import GuardedExecute

    class KernelManager:
        interrupts = 0

        async def interrupt_kernel(self):
            self.interrupts += 1

    waited = {"ns": 0}
    monkeypatch.setattr(fairness, "kernel_pids", lambda km: [1])
    monkeypatch.setattr(fairness, "waits", lambda pids: {(1, 1): waited["ns"]})

    def at_timeout(executor) -> object:
        return asyncio.run(executor._async_handle_timeout(10, None))

    executor = GuardedExecute()
    executor.km = KernelManager()
    executor._start_cell()
    waited["ns"] = 3_000_000_000  # 3 s on a run queue during a 10 s timeout: the machine was busy
    assert at_timeout(executor) is None and executor.km.interrupts == 0  # one more timeout
    reply = at_timeout(executor)  # the second time, interrupted whatever the load
    assert executor.km.interrupts == 1 and reply["content"]["ename"] == "CellTimeoutError"
    executor._start_cell()  # a cell that loops on a free machine is interrupted at once
    waited["ns"] += 500_000_000
    assert at_timeout(executor)["content"]["status"] == "error" and executor.km.interrupts == 2
