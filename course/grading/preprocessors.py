"""GuardedExecute: nbgrader's Execute, made to survive whatever a submission does.

- Kernel death (`os._exit`, `exit()`, a crash) or a cell that will not stop even when interrupted:
  the cell gets an error output saying so, every later code cell a "not run" error (so later tests
  score nothing), and autograding finishes instead of failing the whole notebook. Tests that passed
  before keep their points: they were earned.
- Runaway output: beyond `max_output_bytes` per cell, or `max_notebook_output_bytes` in the whole
  notebook, the rest is dropped, with one line saying so (error outputs are kept, shortened: a test
  cell's error is its verdict; so are a test cell's probes, up to `max_probe_bytes`).
- A fair timeout: a cell whose kernel waited for a CPU gets one more timeout (course.grading.fairness).
- Builtins: a pristine copy of `builtins` is taken when the kernel starts; before each test cell it is
  restored and top-level names that shadow builtins (`len = ...`) are hidden, then put back after.
- The static tampering scan (course.grading.scan) runs on the learner's cells; when it finds
  tampering, every test cell of the notebook gets an error output "TamperingDetected" (no points), and
  the findings are stored in the notebook metadata (`course_grading`) for the grader's report.
- Probes (course.grading.probe, course.grading.verdict): with `expected_probes` (the solution's
  emissions, computed by the grader in a run of its own), every test cell whose probes are missing,
  repeated or different from the expected values gets an error output first, so it scores 0 even when
  the kernel raised nothing; the verdict per test cell goes in the metadata record ("probes").
"""

from __future__ import annotations

import time

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_markdown_cell, new_output
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, Execute
from traitlets import Bool, Integer, Unicode

from course.grading.scan import instructor_sources, scan_notebook

GUARD_SETUP = """
def _course_grading_guard():
    import builtins
    pristine = dict(builtins.__dict__)
    shell = get_ipython()
    baseline = {k: v for k, v in shell.user_ns.items() if k in pristine}
    hidden = {}
    def enter():
        builtins.__dict__.update(pristine)
        ns = shell.user_ns
        for name in [n for n in ns if n in pristine and not n.startswith("_")]:
            if name not in baseline or ns[name] is not baseline[name]:
                hidden[name] = ns.pop(name)
    def leave():
        for name, value in hidden.items():
            shell.user_ns.setdefault(name, value)
        hidden.clear()
    return enter, leave
_course_grading_enter, _course_grading_leave = _course_grading_guard()
del _course_grading_guard
get_ipython().user_ns_hidden.update(_course_grading_enter=1, _course_grading_leave=1)
"""
GUARD_ENTER = "_course_grading_enter()"
GUARD_LEAVE = "_course_grading_leave()"
METADATA_KEY = "course_grading"


def _error(ename: str, evalue: str):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class GuardedExecute(Execute):
    """Execute for autograding (see the module docstring)."""

    scan = Bool(True, help="run the static tampering scan and zero tampered notebooks").tag(config=True)
    guard_builtins = Bool(True, help="restore builtins before each test cell").tag(config=True)
    max_output_bytes = Integer(2_000_000, help="output kept per cell; the rest is dropped").tag(config=True)
    max_notebook_output_bytes = Integer(
        5_000_000, help="output kept in the whole notebook; the rest is dropped (errors are always kept)"
    ).tag(config=True)
    max_probe_bytes = Integer(
        1_000_000, help="probes kept per test cell apart from the output limits (they decide points)"
    ).tag(config=True)
    fair_timeout = Bool(
        True, help="a cell whose kernel waited for a CPU gets one more timeout (course.grading.fairness)"
    ).tag(config=True)
    source_notebook = Unicode("", help="the instructor's notebook, whose cells are not scanned").tag(
        config=True
    )
    sandboxed = Bool(False, help="start the kernel in bubblewrap (course.grading.sandbox)").tag(config=True)
    expected_probes = Unicode(
        "", help="JSON of the solution's probes (course.grading.verdict); empty: no probe verdict"
    ).tag(config=True)

    async def _silent(self, code: str) -> None:
        msg_id = await ensure_async(
            self.kc.execute(code, silent=True, store_history=False, stop_on_error=False)
        )
        await self.async_wait_for_reply(msg_id)

    silent = run_sync(_silent)

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        if msg.get("msg_type") == "error":  # always kept (a test cell's error is its verdict), but short
            content["evalue"] = str(content.get("evalue", ""))[:2000]
            content["traceback"] = [str(t)[:2000] for t in list(content.get("traceback") or [])[:20]]
            return super().output(outs, msg, display_id, cell_index)
        size = sum(len(v) if isinstance(v, str) else len(str(v)) for v in content.values())
        if self._probe_in_test(content, cell_index, size):  # a verdict: never crowded out by other output
            return super().output(outs, msg, display_id, cell_index)
        used = self._output_bytes.get(cell_index, 0) + size
        self._output_bytes[cell_index] = used
        self._notebook_bytes += size
        if used > self.max_output_bytes or self._notebook_bytes > self.max_notebook_output_bytes:
            if cell_index not in self._truncated:
                self._truncated.add(cell_index)
                per_cell = used > self.max_output_bytes
                limit = self.max_output_bytes if per_cell else self.max_notebook_output_bytes
                note = new_output(
                    "stream",
                    name="stdout",
                    text=f"\n... output truncated by the grader after {limit:,} characters "
                    f"{'in this cell' if per_cell else 'in the whole notebook'} ...\n",
                )
                outs.append(note)
            return None
        return super().output(outs, msg, display_id, cell_index)

    def _probe_in_test(self, content: dict, cell_index: int, size: int) -> bool:
        """A probe emitted in a test cell, within `max_probe_bytes` of them per cell."""
        from course.grading.probe import MIME

        if MIME not in (content.get("data") or {}) or not utils.is_grade(self.nb.cells[cell_index]):
            return False
        used = self._probe_bytes.get(cell_index, 0) + size
        self._probe_bytes[cell_index] = used
        return used <= self.max_probe_bytes

    async def _async_handle_timeout(self, timeout: int, cell=None):
        """At its timeout, a cell whose kernel waited for a CPU gets one more (course.grading.fairness)."""
        from course.grading import fairness

        if self.fair_timeout and self._cell_waits is not None and not self._extended:
            waited = fairness.starved(timeout, self._cell_waits, self.km)
            if waited:
                self._extended = True
                self.log.warning(
                    "the kernel waited %.1f s for a CPU: one more %s s before interrupting", waited, timeout
                )
                return None
        return await super()._async_handle_timeout(timeout, cell)

    def _start_cell(self) -> None:
        from course.grading import fairness

        self._extended = False
        self._cell_waits = fairness.waits(fairness.kernel_pids(self.km)) if self.fair_timeout else None

    def preprocess(self, nb, resources=None, km=None):
        from nbclient import NotebookClient

        from course.grading import verdict

        # Read before the kernel starts: a missing table of expected values is the grader's failure.
        expected = verdict.load_expected(self.expected_probes) if self.expected_probes else None
        record = self._scan(nb)
        self._output_bytes: dict[int, int] = {}
        self._notebook_bytes = 0
        self._probe_bytes: dict[int, int] = {}
        self._truncated: set[int] = set()
        self._cell_waits, self._extended = None, False

        NotebookClient.__init__(self, nb, km)
        # The learner's notebook metadata names the kernel; the grader does not let it choose.
        self.kernel_name = "python3"
        if self.sandboxed:
            from course.grading.sandbox import SandboxKernelManager

            self.kernel_manager_class = SandboxKernelManager
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        started = time.perf_counter()
        with self.setup_kernel():
            info = self.wait_for_reply(self.kc.kernel_info())
            self.nb.metadata["language_info"] = info["content"]["language_info"]
            self._run_cells(record, resources)
        self.set_widgets_metadata()
        record["execute_s"] = round(time.perf_counter() - started, 2)
        if record["tamper"]:
            self._flag_tampering(record["tamper"])
        if expected is not None:
            record["probes"] = verdict.judge(self.nb, expected)
        self.nb.metadata[METADATA_KEY] = record
        return self.nb, self.resources

    def _scan(self, nb) -> dict:
        """The executor's record, started with the static scan's findings (course.grading.scan)."""
        trusted = instructor_sources(self.source_notebook) if self.source_notebook else frozenset()
        findings = scan_notebook(nb, trusted) if self.scan else []
        return {
            "tamper": [f.as_dict() for f in findings if f.severity == "tamper"],
            "notes": [f.as_dict() for f in findings if f.severity == "note"],
            "events": [],
            "execute_s": 0.0,
        }

    def _run_cells(self, record: dict, resources) -> None:
        """Run every code cell (test cells with the builtins guarded); after a fatal one, none."""
        guard = self.guard_builtins
        if guard:
            self.silent(GUARD_SETUP)
        stopped = ""
        for index, cell in enumerate(self.nb.cells):
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            if stopped:
                cell.outputs = [_error("NotRun", stopped)]
                continue
            stopped = self._run_cell(cell, index, resources, guard and utils.is_grade(cell), record)
            if index in self._truncated:
                record["events"].append({"cell": index, "kind": "output truncated"})

    def _run_cell(self, cell, index: int, resources, guarded: bool, record: dict) -> str:
        """Run one cell; the reason no later cell may run ("" when they may)."""
        try:
            if guarded:
                self.silent(GUARD_ENTER)
            self._start_cell()
            self.preprocess_cell(cell, resources, index)
            if guarded:
                self.silent(GUARD_LEAVE)
        except DeadKernelError:
            stopped = (
                f"the kernel died in cell {index} (sys.exit/os._exit/exit() or a crash); "
                "this cell and the ones after it were not graded"
            )
            cell.outputs.append(_error("KernelDied", stopped))
            record["events"].append({"cell": index, "kind": "kernel died"})
            return stopped
        except CellTimeoutError:
            stopped = (
                f"cell {index} did not stop within {self.timeout} s even when interrupted; "
                "the cells after it were not run"
            )
            cell.outputs.append(_error("CellTimeoutError", stopped))
            record["events"].append({"cell": index, "kind": "unstoppable"})
            return stopped
        if any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", [])):
            record["events"].append({"cell": index, "kind": "timeout"})
        return ""

    def _flag_tampering(self, tamper: list[dict]) -> None:
        """Every test cell fails with the scan's reasons, and a note on top says why."""
        reasons = "; ".join(f"cell {f['cell']} line {f['line']}: {f['what']}" for f in tamper)
        message = f"the grader found code that changes the grading machinery ({reasons}); manual review"
        for cell in self.nb.cells:
            if cell.cell_type == "code" and utils.is_grade(cell):
                cell.outputs.append(_error("TamperingDetected", message))
        self.nb.cells.insert(0, new_markdown_cell(f"**Autograder:** {message}."))


class HideHiddenTestTracebacks(Preprocessor):
    """Feedback: a test cell's traceback would quote the hidden test's code; keep only its last line."""

    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and utils.is_grade(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output.traceback = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


class HideProbes(Preprocessor):
    """Feedback: probe emissions (the learner's results on hidden inputs) are the grader's, not shown."""

    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        from course.grading.probe import MIME

        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if MIME not in o.get("data", {})]
        return cell, resources


class ClearHiddenTestsSafely(ClearHiddenTests):
    """nbgrader's ClearHiddenTests for feedback, on test cells only.

    nbgrader's version raises on "BEGIN HIDDEN TESTS" in any other cell, and so a learner who types
    that text in an answer lost the feedback (and, before, the points). Test cells are restored from
    the gradebook before grading, so their markers are the instructor's; a test cell whose markers do
    not pair up shows none of its code.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not utils.is_grade(cell) or utils.is_solution(cell):
            return cell, resources
        try:
            self._remove_hidden_test_region(cell)
        except RuntimeError:
            cell.source = "# (hidden tests)"
        return cell, resources


def hidden_test_lines(source_notebook: str, minimum: int = 12) -> set[str]:
    """The stripped lines of every hidden test region of the instructor's notebook (the long ones)."""
    import nbformat

    if not source_notebook:
        return set()
    notebook = nbformat.read(source_notebook, as_version=4)
    lines: set[str] = set()
    for cell in notebook.cells:
        inside = False
        for line in cell.get("source", "").splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside and len(line.strip()) >= minimum:
                lines.add(line.strip())
    return lines


class RedactHiddenTests(Preprocessor):
    """Feedback: an output (or attachment) that quotes a line of a hidden test is replaced by a note.

    A learner's code runs in the same kernel as the hidden tests, so it can print their source (from
    IPython's history, a traceback, a frame). This catches verbatim copies and the encodings a notebook
    carries anyway: base64 (plain, URL-safe, line-wrapped, zlib-compressed inside; images are base64
    too), hexadecimal and reversed text (course.grading.sanitize.decodings). Other encodings are not
    caught: the points never depend on it (they are decided outside the kernel).
    """

    enabled = Bool(True).tag(config=True)
    source_notebook = Unicode("", help="the instructor's notebook, whose hidden tests are redacted").tag(
        config=True
    )
    NOTE = "[output hidden by the grader: it quoted hidden test code]\n"

    def preprocess(self, nb, resources):
        self._lines = hidden_test_lines(self.source_notebook)
        return super().preprocess(nb, resources)

    def _quotes(self, text: str) -> bool:
        from course.grading.sanitize import decodings

        return any(line in form for form in decodings(text) for line in self._lines)

    def preprocess_cell(self, cell, resources, index):
        if not self._lines:
            return cell, resources
        attachments = cell.get("attachments") or {}
        for name in [n for n, a in attachments.items() if self._quotes(str(a))]:
            del attachments[name]
        if cell.cell_type != "code":
            return cell, resources
        outputs = []
        for output in cell.get("outputs", []):
            parts = [str(output.get("text", "")), str(output.get("evalue", ""))]
            parts += [str(v) for v in output.get("data", {}).values()]
            parts += [str(t) for t in output.get("traceback", [])]
            if self._quotes("\n".join(parts)):
                outputs.append(new_output("stream", name="stdout", text=self.NOTE))
            else:
                outputs.append(output)
        cell.outputs = outputs
        return cell, resources
