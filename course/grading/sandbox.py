"""Student kernels in a bubblewrap sandbox: the grader drives the kernel from outside, the kernel sees little.

nbgrader's autograde still runs in the trusted worker process (course.grading.worker); only the
kernel runs inside `bwrap`. What the kernel gets:

- a read-only view of an allow-list: the system (/usr and the /bin, /lib links), a few /etc files, the
  Python installation, the venv, the `course` package, the offline data, and the course's cache
  (stand-in weights); not the project checkout, solutions/, the output folder, other students or any
  gradebook: they are simply not mounted;
- a private tmpfs with a size cap as /tmp, which is also its cwd and $HOME; the course's Hugging Face
  home appears writable through a mirror of symbolic links there (`Dataset.map` writes its cache files
  next to the arrow files), while the real home stays read-only;
- its own PID, network (no interface but its own loopback), IPC, UTS and cgroup namespaces; every
  process it starts dies with it (`--die-with-parent`, and the PID namespace dies with its init);
- a non-root user of its own (one uid per task, when the grader is root), no capabilities, no new
  privileges, and `prlimit` limits: address space, processes, file size, CPU time; when the grader
  may create cgroups, also a memory and a process cap for the sandbox as a whole, the same CPU weight
  as every other sandbox and a CPU quota (the machine's CPUs divided by the jobs);
- IPC transport: the connection file and the ZeroMQ sockets are in the sandbox's own /tmp/.kernel;
  the worker reaches the sockets through descriptors it opened once, without following links, before
  any student code ran (course.grading.ipc), never through a path the kernel can change;
- no file descriptor of the worker: stdin is /dev/null, stdout and stderr a pipe the worker drains
  into its log (capped, each line marked), so the kernel cannot write the grader's log.

Here: the view, the bwrap command line and the kernel's provisioner. The limits a sandbox holds as a
whole (cgroups) are course.grading.cgroups; each task's uid and the sweep of what it left,
course.grading.lifetime (both re-exported here).

Without bubblewrap (macOS, a host that forbids namespaces) `course grade` refuses to run untrusted
code unless given --unsafe-no-sandbox; `unavailable()` says why.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning.local_provisioner import LocalProvisioner
from traitlets import Bool, Dict, Integer, Unicode
from traitlets.config import Configurable

from course.grading import ipc
from course.grading.cgroups import (  # noqa: F401 - re-exported: the sandbox's limits, one import away
    CGROUP_FS,
    _cgroup_settings,
    _v1_root,
    _v2_root,
    cgroup_peak_mb,
    cgroups_available,
    cgroups_work,
    cpu_share_available,
    ensure_cgroups,
    make_cgroups,
    remove_cgroup_parent,
)
from course.grading.lifetime import (  # noqa: F401 - re-exported
    _RANDOM,
    _children,
    _descendants,
    processes_of,
    run_uid_base,
    sweep,
    task_uid,
)

SCRATCH = "/tmp"
KERNEL_DIR = f"{SCRATCH}/.kernel"
CONNECTION = f"{KERNEL_DIR}/connection.json"
IPC = f"{KERNEL_DIR}/ipc"
HF_SOURCE = "/run/course/hf-home"  # the real Hugging Face home, read-only
HF_MIRROR = f"{SCRATCH}/.course/hf-home"  # its writable mirror of symbolic links
HOSTNAME = "grading"
NOBODY = 65534
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "timezone",
    "nsswitch.conf",
    "host.conf",
    "hosts",
    "gai.conf",
    "protocols",
    "services",
    "mime.types",
    "ssl",
    "ca-certificates",
    "ca-certificates.conf",
    "alternatives",
    "fonts",
    "os-release",
    "debian_version",
)
# Passed from the grader's environment into the kernel when set (nothing else is: no tokens, no HF_HOME).
PASS_ENV = (
    "COURSE_FAST",
    "COURSE_PROBES",  # set by the grader's worker: hidden tests display their probes
    "COURSE_GRADING",  # set by the grader's worker: demonstration cells run at their grading size
    "CI",
    "GITHUB_ACTIONS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "TOKENIZERS_PARALLELISM",
    "PYTHONHASHSEED",
    "LANG",
    "LC_ALL",
    "TZ",
)
MiB = 1024 * 1024


class Sandbox(Configurable):
    """`c.Sandbox.*` in nbgrader_config.py: the limits of every student kernel (see the module docstring)."""

    enabled = Bool(True, help="run each student kernel in bubblewrap").tag(config=True)
    memory_mb = Integer(6144, help="address space of each process in the sandbox, MiB (prlimit --as)").tag(
        config=True
    )
    total_memory_mb = Integer(
        3072, help="resident memory of the whole sandbox, its /tmp included, MiB (cgroup; when available)"
    ).tag(config=True)
    processes = Integer(64, help="processes and threads of the sandbox's user (prlimit --nproc)").tag(
        config=True
    )
    file_mb = Integer(512, help="largest file the kernel may write, MiB (prlimit --fsize)").tag(config=True)
    cpu_s = Integer(3600, help="CPU seconds of each process (prlimit --cpu)").tag(config=True)
    scratch_mb = Integer(1024, help="size of the private /tmp (a tmpfs), MiB").tag(config=True)

    def limits(self) -> dict[str, int]:
        return {name: int(getattr(self, name)) for name in LIMIT_NAMES}


LIMIT_NAMES = ("memory_mb", "total_memory_mb", "processes", "file_mb", "cpu_s", "scratch_mb")


# --- can we sandbox here? ---------------------------------------------------------------------------

_UNAVAILABLE: dict[bool, str | None] = {}


def unavailable() -> str | None:
    """None when a kernel can be sandboxed here; otherwise why not, in one sentence."""
    root = os.geteuid() == 0
    if root in _UNAVAILABLE:
        return _UNAVAILABLE[root]
    reason = None
    if not sys.platform.startswith("linux"):
        reason = f"bubblewrap needs Linux namespaces (this is {sys.platform})"
    elif not shutil.which("bwrap"):
        reason = "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    else:
        for tool in ("setpriv", "prlimit") if root else ("prlimit",):
            if not shutil.which(tool):
                reason = f"`{tool}` (util-linux) is missing"
    if reason is None:
        argv = [*bwrap_prefix(root=root), *system_binds(), "--proc", "/proc", "--dev", "/dev", "--"]
        if root:
            argv += [
                shutil.which("setpriv"),
                f"--reuid={NOBODY}",
                f"--regid={NOBODY}",
                "--clear-groups",
                "--",
            ]
        argv += [shutil.which("prlimit"), "--nproc=64", "--", "/bin/sh", "-c", "exit 0"]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as error:
            reason = f"bubblewrap could not start: {error}"
        else:
            if done.returncode != 0:
                detail = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
                reason = f"bubblewrap cannot create namespaces here ({detail[:160]})"
    _UNAVAILABLE[root] = reason
    return reason


def version() -> str:
    try:
        return subprocess.run(
            ["bwrap", "--version"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


# --- what the kernel sees -------------------------------------------------------------------------------


def bwrap_prefix(*, root: bool) -> list[str]:
    """bwrap and its namespace options (a new user namespace only when not root: see `command`)."""
    argv = [
        shutil.which("bwrap") or "bwrap",
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--hostname",
        HOSTNAME,
        "--die-with-parent",
        "--new-session",
    ]
    if root:  # setpriv needs these to become the task's user; it drops them, and every other capability
        argv += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        argv += ["--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY)]
    return argv


def system_binds() -> list[str]:
    argv: list[str] = []
    for path in SYSTEM:
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            argv += ["--ro-bind", path, path]
    return argv


def _readable_by_all(path: Path) -> bool:
    """True when every file and folder under `path` can be read (and folders entered) by any user."""
    for folder, _, files in os.walk(path):
        if os.stat(folder).st_mode & 0o005 != 0o005:
            return False
        for name in files:
            full = os.path.join(folder, name)
            if not os.path.islink(full) and os.stat(full).st_mode & 0o004 == 0:
                return False
    return True


def _readable_copy(path: Path, staging: Path) -> Path:
    """`path` itself when anyone may read it, else a copy in `staging` that anyone may read."""
    if os.geteuid() != 0 or _readable_by_all(path):
        return path
    target = staging / "readable" / hashlib.sha1(str(path).encode()).hexdigest()[:12] / path.name
    if not target.exists():
        shutil.copytree(path, target, symlinks=True) if path.is_dir() else shutil.copy2(path, target)
        for folder, _, files in os.walk(target):
            os.chmod(folder, 0o755)
            for name in files:
                full = os.path.join(folder, name)
                if not os.path.islink(full):
                    os.chmod(full, 0o755 if os.stat(full).st_mode & 0o100 else 0o644)
        for parent in (target.parent, target.parent.parent):
            os.chmod(parent, 0o755)
    return target


@dataclass
class View:
    """The read-only mounts of every sandbox of one grading run, prepared once by the parent."""

    ro_binds: list[list[str]] = field(default_factory=list)  # [host path, sandbox path]
    dirs: list[str] = field(default_factory=list)
    symlinks: list[list[str]] = field(default_factory=list)  # [target, link]
    hf_home: str = ""  # the course's Hugging Face home on the host, mirrored writable in the sandbox
    env: dict[str, str] = field(default_factory=dict)
    python: str = ""
    staging: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> View:
        return cls(**data)

    def visible(self) -> list[str]:
        """The host folders the kernel can read (for reports and tests)."""
        return [source for source, _ in self.ro_binds]


def prepare_view(staging: Path) -> View:
    """What every kernel of this run may read. Files only root may read are copied into `staging`."""
    import course
    from course.data import data_dir
    from course.env import cache_dir

    staging = Path(staging)
    view = View(python=sys.executable, staging=str(staging))
    seen: set[str] = set()

    def bind(host: Path, inside: str | None = None, *, copy: bool = False) -> None:
        host = Path(host)
        if not host.exists() or str(host) in seen:
            return
        seen.add(str(host))
        source = _readable_copy(host, staging) if copy else host
        view.ro_binds.append([str(source), inside or str(host)])

    for name in ETC:
        bind(Path("/etc") / name)
    base = Path(os.path.realpath(sys.base_prefix))
    venv = Path(sys.prefix)
    bind(base)
    if venv.resolve() != base:
        bind(venv)
    package = Path(course.__file__).resolve().parent
    if not package.is_relative_to(venv.resolve()):
        bind(package)
    data = data_dir()
    bind(data, copy=True)
    cache = cache_dir()
    if cache.is_dir():
        view.dirs.append(str(cache))
        for entry in sorted(cache.iterdir()):
            if entry.name == "hf-home" and entry.is_dir():
                view.hf_home = str(entry)
                view.ro_binds.append([str(_readable_copy(entry, staging)), HF_SOURCE])
                view.symlinks.append([HF_MIRROR, str(entry)])
            else:
                bind(entry, copy=True)
    view.env = {
        "PATH": os.pathsep.join([str(venv / "bin"), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": SCRATCH,
        "TMPDIR": SCRATCH,
        "USER": "student",
        "LOGNAME": "student",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "MPLBACKEND": "Agg",
        "MALLOC_ARENA_MAX": "2",  # fewer 64 MB malloc arenas per thread: less address space for --as
        "COURSE_DATA_DIR": str(data),
        "COURSE_CACHE_DIR": str(cache),
        "COURSE_OFFLINE": "1",  # there is no network in here: do not wait for a probe to find out
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    for name in PASS_ENV:
        if name in os.environ:
            view.env[name] = os.environ[name]
    return view


def command(view: View, limits: dict, uid: int, private: Path, argv: list[str], cgroups=()) -> list[str]:
    """The full command line: bwrap, then (as root) setpriv to `uid`, then prlimit, then `argv`.

    `private` is a host folder only root can enter, holding connection.json, passwd and group;
    `cgroups` are cgroup.procs files the sandbox joins before bwrap starts.
    """
    root = os.geteuid() == 0
    inner_uid = uid if root else NOBODY
    private = Path(private)
    (private / "passwd").write_text(
        f"root:x:0:0:root:/root:/usr/sbin/nologin\nstudent:x:{inner_uid}:{inner_uid}:student:{SCRATCH}:/bin/sh\n"
    )
    (private / "group").write_text(f"root:x:0:\nstudent:x:{inner_uid}:\n")
    for name in ("passwd", "group"):
        os.chmod(private / name, 0o644)

    bwrap = [*bwrap_prefix(root=root), *system_binds()]
    # The private /tmp first: a checkout or venv that itself lives under /tmp (a CI clone) is bound on top.
    bwrap += ["--perms", "1777", "--size", str(int(limits["scratch_mb"]) * MiB), "--tmpfs", SCRATCH]
    parents: list[str] = []  # bwrap would create missing parents as 0700: the sandbox's user needs 0755
    for inside in [d for _, d in view.ro_binds] + view.dirs + [link for _, link in view.symlinks]:
        for parent in reversed(Path(inside).parents):
            if str(parent) not in ("/", SCRATCH) and str(parent) not in parents and str(parent) not in SYSTEM:
                parents.append(str(parent))
    for folder in parents + [d for d in view.dirs if d not in parents]:
        bwrap += ["--perms", "0755", "--dir", folder]
    for source, inside in view.ro_binds:
        bwrap += ["--ro-bind", source, inside]
    bwrap += ["--ro-bind", str(private / "passwd"), "/etc/passwd"]
    bwrap += ["--ro-bind", str(private / "group"), "/etc/group"]
    bwrap += ["--proc", "/proc", "--dev", "/dev"]
    shm = min(int(limits["scratch_mb"]), 256) * MiB  # POSIX semaphores, DataLoader workers
    bwrap += ["--perms", "1777", "--size", str(shm), "--tmpfs", "/dev/shm"]
    bwrap += ["--perms", "0777", "--dir", KERNEL_DIR]
    bwrap += ["--ro-bind", str(private / "connection.json"), CONNECTION]
    for target, link in view.symlinks:
        bwrap += ["--symlink", target, link]
    bwrap += ["--chdir", SCRATCH, "--"]

    user: list[str] = []
    if root:
        user = [
            shutil.which("setpriv") or "setpriv",
            f"--reuid={uid}",
            f"--regid={uid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--no-new-privs",
            "--",
        ]
    prlimit = [
        shutil.which("prlimit") or "prlimit",
        f"--as={int(limits['memory_mb']) * MiB}",
        f"--nproc={int(limits['processes'])}",
        f"--fsize={int(limits['file_mb']) * MiB}",
        f"--cpu={int(limits['cpu_s'])}",
        "--core=0",
        "--",
    ]
    boot = 'exec "$@"'
    if view.hf_home:
        boot = (  # lock files must be writable: the mirror gets none, the libraries create their own
            f"mkdir -p {os.path.dirname(HF_MIRROR)} && cp -rs {HF_SOURCE} {HF_MIRROR} 2>/dev/null; "
            f"find {HF_MIRROR} -name '*.lock' -type l -delete 2>/dev/null; " + boot
        )
    inner = [*user, *prlimit, "/bin/sh", "-c", boot, "sh", *argv]
    if cgroups:  # join the cgroups first (as root, outside the sandbox), then become bwrap
        join = "".join(f"echo $$ > {shlex.quote(str(procs))} || exit 97; " for procs in cgroups)
        return ["/bin/sh", "-c", join + 'exec "$@"', "sh", *bwrap, *inner]
    return [*bwrap, *inner]


# --- the kernel manager the worker uses -----------------------------------------------------------------


class SandboxProvisioner(LocalProvisioner):
    """LocalProvisioner whose kernel command is wrapped in bwrap, and whose signals go inside."""

    init_pid: int | None = None

    async def pre_launch(self, **kwargs):
        km = self.parent
        private = Path(km.private_dir)
        private.mkdir(parents=True, exist_ok=True)
        os.chmod(private, 0o700)
        km.transport = "ipc"
        km.ip = IPC
        km.connection_file = str(private / "host-connection.json")
        kwargs = await super().pre_launch(**kwargs)
        info = json.loads(Path(km.connection_file).read_text())
        inside = private / "connection.json"
        inside.write_text(json.dumps(info))
        os.chmod(inside, 0o644)  # the sandbox's user reads it; nobody else can enter `private`
        argv = [km.spec["view"]["python"], "-m", "ipykernel_launcher", "-f", CONNECTION]
        argv += [a for a in kwargs["cmd"][kwargs["cmd"].index(km.connection_file) + 1 :]]
        view = View.from_dict(km.spec["view"])
        env = dict(view.env)
        for name in PASS_ENV:  # the worker's own values win (it sets the threads per job)
            if name in os.environ:
                env[name] = os.environ[name]
        if "OMP_NUM_THREADS" in env:  # tokenizers' thread pool, which would use every core, counts too
            env.setdefault("RAYON_NUM_THREADS", env["OMP_NUM_THREADS"])
        ensure_cgroups(km.spec.get("cgroups", []), km.spec["limits"], km.spec.get("cpus"))
        kwargs["cmd"] = command(
            view, km.spec["limits"], int(km.spec["uid"]), private, argv, km.spec.get("cgroups", [])
        )
        kwargs["env"] = env
        kwargs["cwd"] = str(private)
        kwargs["independent"] = True  # no JPY_PARENT_PID: inside, the parent is the sandbox's init (pid 1)
        # stdio: /dev/null and a pipe the worker drains (course.grading.ipc), never the worker's log file
        self._output, write = ipc.kernel_pipe()
        kwargs.update(stdin=subprocess.DEVNULL, stdout=write, stderr=write, close_fds=True)
        self._write_end = write
        return kwargs

    async def launch_kernel(self, cmd, **kwargs):
        try:
            info = await super().launch_kernel(cmd, **kwargs)
        finally:
            os.close(self._write_end)
        ipc.drain(self._output)
        deadline = time.monotonic() + 30
        while self.init_pid is None and time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the sandbox exited at once (status {self.process.returncode})")
            # the sandbox's init is bwrap's child (behind the cgroup-joining shell, which execs bwrap)
            children = _children(self.process.pid)
            if children:
                self.init_pid = children[0]
                break
            time.sleep(0.005)
        if self.init_pid is None:
            raise RuntimeError("the sandbox did not start within 30 s")
        info = dict(info)
        info["ip"] = await self._pinned(info)
        self.connection_info = info
        return info

    async def _pinned(self, info: dict) -> str:
        """The `ip` through which the worker reaches the kernel's sockets (see course.grading.ipc)."""
        import asyncio

        ports = [int(info[f"{name}_port"]) for name in ("shell", "iopub", "stdin", "control", "hb")]
        owner = int(self.parent.spec["uid"]) if os.geteuid() == 0 else os.geteuid()
        root = f"/proc/{self.init_pid}/root"
        folder, prefix = os.path.split(IPC)
        ipc.close_pins(getattr(self, "_pins", {}))  # a restarted kernel: its sockets are new
        ipc.remove_links(getattr(self, "_links", None))
        loop = asyncio.get_running_loop()
        self._pins = await loop.run_in_executor(
            None,
            lambda: ipc.pin_sockets(root, folder, prefix, ports, owner, lambda: self.process.poll() is None),
        )
        ip, self._links = ipc.link_pins(self._pins)
        return ip

    def _inside(self) -> list[int]:
        return _descendants(self.init_pid) if self.init_pid else []

    def record_usage(self) -> None:
        """Peak address space and resident memory of the sandbox's processes, and their threads now,
        written to usage.json in the private folder (for measuring the limits; see benchmarks/sandbox.py)."""
        usage = {"vm_peak_mb": 0, "rss_peak_mb": 0, "threads": 0, "processes": 0}
        for pid in self._inside():
            try:
                status = dict(
                    line.split(":", 1)
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                    if ":" in line
                )
            except OSError:
                continue
            usage["processes"] += 1
            usage["threads"] += int(status.get("Threads", "0").strip() or 0)
            for key, name in (("VmPeak", "vm_peak_mb"), ("VmHWM", "rss_peak_mb")):
                if key in status:
                    usage[name] = max(usage[name], int(status[key].split()[0]) // 1024)
        if self.init_pid:
            try:
                vfs = os.statvfs(f"/proc/{self.init_pid}/root{SCRATCH}")
                usage["scratch_mb"] = (vfs.f_blocks - vfs.f_bfree) * vfs.f_frsize // MiB
            except OSError:
                pass
        if usage["processes"]:
            try:
                (Path(self.parent.private_dir) / "usage.json").write_text(json.dumps(usage))
            except OSError:
                pass

    async def send_signal(self, signum: int) -> None:
        if not self.process:
            return
        if signum in (signal.SIGKILL, signal.SIGTERM):
            await self.kill()
            return
        for pid in self._inside():  # SIGINT and the like: to every process of the sandbox but its init
            try:
                os.kill(pid, signum)
            except (ProcessLookupError, PermissionError):
                pass

    async def kill(self, restart: bool = False) -> None:
        if self.init_pid:
            try:  # the PID namespace dies with its init: every process in it is killed
                os.kill(self.init_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.process:
            try:
                self.process.kill()
            except OSError:
                pass

    async def terminate(self, restart: bool = False) -> None:
        await self.kill(restart)

    async def cleanup(self, restart: bool = False) -> None:
        await self.kill()
        ipc.close_pins(getattr(self, "_pins", {}))
        ipc.remove_links(getattr(self, "_links", None))
        self._links = None
        await super().cleanup(restart)


class SandboxKernelManager(AsyncKernelManager):
    """The kernel manager of autograding in a sandbox: IPC transport, bwrap-wrapped kernel.

    `spec` (set by the worker from the task): view (View.as_dict()), limits, uid, cgroups.
    """

    spec = Dict(help="view, limits, uid and cgroups of this task's sandbox").tag(config=True)
    private_dir = Unicode(help="host folder (root only) for the connection files").tag(config=True)
    transport = Unicode("ipc")
    cache_ports = Bool(False)

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        if isinstance(self.provisioner, SandboxProvisioner):
            self.provisioner.record_usage()
        await super()._async_shutdown_kernel(now=now, restart=restart)

    shutdown_kernel = _async_shutdown_kernel

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or os.urandom(8).hex()
            self.provisioner = SandboxProvisioner(
                kernel_id=self.kernel_id,
                kernel_spec=self.kernel_spec,
                parent=self,
            )
        return await super()._async_pre_start_kernel(**kw)


# --- for tests and the benchmark: run a command the way a kernel runs ---------------------------------


def run_inside(
    code: str,
    *,
    limits: dict | None = None,
    view: View | None = None,
    staging: Path,
    uid: int | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess:
    """Run `python -c code` in a sandbox like a kernel's (for measurements and tests)."""
    limits = limits or Sandbox().limits()
    view = view or prepare_view(staging)
    private = Path(staging) / f"private-{os.getpid()}-{_RANDOM.randrange(10**6)}"
    private.mkdir(parents=True)
    os.chmod(private, 0o700)
    (private / "connection.json").write_text("{}")
    os.chmod(private / "connection.json", 0o644)
    uid = uid if uid is not None else run_uid_base()
    argv = command(view, limits, uid, private, [view.python, "-c", code])
    try:
        return subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, env=view.env, stdin=subprocess.DEVNULL
        )
    finally:
        sweep(uid if os.geteuid() == 0 else None)
        shutil.rmtree(private, ignore_errors=True)


def describe(limits: dict, cgroups: bool) -> str:
    """The limits in words, for the summary."""
    if not cgroups:
        total = "no cap in all and no CPU share (no usable cgroups)"
    elif cpu_share_available():
        total = f"{limits['total_memory_mb']} MiB in all, an equal CPU share"
    else:
        total = f"{limits['total_memory_mb']} MiB in all, no CPU share (the cpu controller is not writable)"
    return (
        f"{limits['memory_mb']} MiB address space per process, {total}, {limits['processes']} processes, "
        f"files up to {limits['file_mb']} MiB, {limits['cpu_s']} s CPU, /tmp {limits['scratch_mb']} MiB"
    )


__all__ = [
    "Sandbox",
    "SandboxKernelManager",
    "View",
    "command",
    "prepare_view",
    "run_inside",
    "sweep",
    "unavailable",
]
