"""Grade one (student, notebook) in its own process and course directory:

    python -m course.grading.worker TASK_DIR/task.json

A task whose "mode" is "reference" instead executes the instructor's notebook ("source") the way a
submission is executed (GuardedExecute, the same sandbox) and writes the expected values of its
probes to TASK_DIR/expected.json (course.grading.verdict); grade.py runs one per graded notebook
before the students' tasks, whose "expected" then names that file.

The task folder is a small nbgrader course directory prepared by course.grading.grade (a copy of the
class gradebook before any student, the assignment's source, the one submitted notebook). The worker
runs nbgrader's autograde (with GuardedExecute) and generate_feedback there, then writes result.json:
per test cell the points, the score and the failure message, plus the executor's record. Whatever
happens, it writes result.json; an "error" there means the grader itself failed.

The worker dies with the process that started it (`watch_parent`): a grading parent or Dask worker that
is killed leaves no grading behind (the kernel's sandbox dies with this process: --die-with-parent).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

from course.grading.config import load_config, run_converter

RESULT = "result.json"


def failure_message(cell) -> str:
    """The first line of the error a test cell raised ("AssertionError: [NOT YET] ...")."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            name, value = output.get("ename", "Error"), str(output.get("evalue", ""))
            first = value.strip().splitlines()[0] if value.strip() else ""
            return f"{name}: {first}"[:200] if first else name
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            text = "".join(output.get("text", "")).strip().splitlines()
            return f"stderr: {text[0][:180]}" if text else "stderr output"
    return ""


def collect(course_dir: Path, assignment: str, student: str, notebook: str) -> dict:
    """Scores from the task's gradebook and messages from the autograded notebook."""
    import nbformat
    from nbgrader import utils
    from nbgrader.api import Gradebook

    from course.grading.preprocessors import METADATA_KEY

    path = course_dir / "autograded" / student / assignment / f"{notebook}.ipynb"
    nb = nbformat.read(path, as_version=4)
    messages = {
        cell.metadata["nbgrader"]["grade_id"]: failure_message(cell)
        for cell in nb.cells
        if utils.is_grade(cell)
    }
    tests = []
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        submitted = gb.find_submission_notebook(notebook, assignment, student)
        for grade in sorted(submitted.grades, key=lambda g: g.cell.name):
            tests.append(
                {
                    "grade_id": grade.name,
                    "points": float(grade.max_score),
                    "score": float(grade.score),
                    "message": messages.get(grade.name, "") if grade.score < grade.max_score else "",
                }
            )
    return {"tests": tests, "record": nb.metadata.get(METADATA_KEY, {})}


EXPECTED = "expected.json"


def _sandbox(config, task: dict, course_dir: Path) -> None:
    if task.get("sandbox"):  # the kernel runs in bubblewrap (course.grading.sandbox); this process does not
        config.GuardedExecute.sandboxed = True
        config.SandboxKernelManager.spec = task["sandbox"]
        config.SandboxKernelManager.private_dir = str(course_dir / ".kernel")


def reference(task: dict, course_dir: Path) -> dict:
    """Execute the instructor's notebook like a submission and write the expected probes (see above)."""
    import nbformat

    from course.grading import verdict
    from course.grading.preprocessors import METADATA_KEY, GuardedExecute

    config = load_config(course_dir, timeout=task.get("timeout"))
    config.GuardedExecute.scan = False
    _sandbox(config, task, course_dir)
    notebook = nbformat.read(task["source"], as_version=4)
    executor = GuardedExecute(config=config)
    executor.preprocess(notebook, {"metadata": {"path": str(course_dir)}})
    nbformat.write(notebook, course_dir / "reference.ipynb")
    events = notebook.metadata.get(METADATA_KEY, {}).get("events", [])
    if events:
        raise verdict.ReferenceFailed(
            "; ".join(f"cell {e['cell']}: {e['kind']}" for e in events) + " while running the solution"
        )
    expected = verdict.expected_from(notebook)
    verdict.write_expected(course_dir / EXPECTED, expected)
    return {"cells": len(expected), "probes": sum(len(v) for v in expected.values())}


def run(task_file: Path) -> dict:
    from nbgrader.converters import Autograde, GenerateFeedback

    task = json.loads(Path(task_file).read_text())
    course_dir = Path(task["course_dir"])
    started = time.perf_counter()
    result = {"task": task, "status": "graded"}
    os.environ["COURSE_PROBES"] = "1"  # hidden tests display their probes (passed into the sandbox)
    # The grader decides the size of what it runs, whatever the instructor's shell says: fast mode, and
    # demonstration cells at their grading size (course.env.grading_mode()).
    os.environ["COURSE_FAST"] = "1"
    os.environ["COURSE_GRADING"] = "1"
    if task.get("mode") == "reference":
        try:
            result.update(reference(task, course_dir))
        except Exception as error:  # noqa: BLE001 - reported to the parent, which grades nothing against it
            result["status"] = "error"
            result["error"] = f"{type(error).__name__}: {error}"[:2000]
            result["traceback"] = traceback.format_exc()[-4000:]
        result["seconds"] = round(time.perf_counter() - started, 2)
        (course_dir / RESULT).write_text(json.dumps(result, indent=1))
        return result
    try:
        config = load_config(course_dir, timeout=task.get("timeout"))
        config.GuardedExecute.scan = bool(task.get("scan", True))
        source = str(course_dir / "solutions" / task["assignment"] / f"{task['notebook']}.ipynb")
        config.GuardedExecute.source_notebook = source
        config.RedactHiddenTests.source_notebook = source
        config.GuardedExecute.expected_probes = task.get("expected") or ""
        _sandbox(config, task, course_dir)
        ids = {
            "assignment_id": task["assignment"],
            "student_id": task["student"],
            "notebook_id": task["notebook"],
        }
        run_converter(Autograde, config, **ids)
        result["autograde_s"] = round(time.perf_counter() - started, 2)
        result.update(collect(course_dir, task["assignment"], task["student"], task["notebook"]))
    except Exception as error:  # noqa: BLE001 - reported to the parent as a grading failure
        result["status"] = "error"
        result["error"] = f"{type(error).__name__}: {error}"
        result["traceback"] = traceback.format_exc()[-4000:]
    if result["status"] == "graded" and task.get("feedback", True):
        try:  # the points are earned; feedback that cannot be written must not take them away
            run_converter(GenerateFeedback, config, **ids)
            from course.grading.sanitize import clean_tree

            clean_tree(course_dir / "feedback")  # no script, handler or javascript: link reaches a browser
        except Exception as error:  # noqa: BLE001
            result["feedback_error"] = f"{type(error).__name__}: {error}"[:300]
    usage = course_dir / ".kernel" / "usage.json"
    if usage.is_file():
        result["sandbox_usage"] = json.loads(usage.read_text())
    result["seconds"] = round(time.perf_counter() - started, 2)
    (course_dir / RESULT).write_text(json.dumps(result, indent=1))
    return result


def watch_parent(interval: float = 0.5) -> None:
    """Kill this worker (and its process group, when it leads one) once its parent process is gone."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:  # reparented: whoever started us was killed
                if os.getpgrp() == os.getpid():
                    os.killpg(os.getpid(), signal.SIGKILL)
                os._exit(137)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


# --- the parent's side: the step a runner calls (course.grading.runners) ----------------------------

RUNNING: set[subprocess.Popen] = set()  # worker processes, to stop on Ctrl-C


def kill_group(process: subprocess.Popen) -> None:
    """Kill a worker and its kernel: the process group it leads (it was started in its own session)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def run_worker(task: Path, log: Path, hard_limit: float, threads: int) -> dict:
    """Run one task's worker; afterwards nothing it started may live (see `_run_worker`)."""
    spec = json.loads((task / "task.json").read_text())
    sandbox = spec.get("sandbox")
    if sandbox:
        from course.grading.cgroups import make_cgroups

        parent = sandbox.pop("cgroup_parent", "")
        sandbox["cpus"] = threads  # its CPU quota: the machine's CPUs shared between the jobs
        sandbox["cgroups"] = (
            make_cgroups(f"{parent}/{sandbox['uid']}", sandbox["limits"], threads) if parent else []
        )
        (task / "task.json").write_text(json.dumps(spec))
    try:
        result = _run_worker(task, log, hard_limit, threads)
    finally:
        if sandbox:
            from course.grading.cgroups import cgroup_peak_mb
            from course.grading.lifetime import sweep

            peak = cgroup_peak_mb(sandbox["cgroups"])
            left = sweep(sandbox["uid"] if os.geteuid() == 0 else None, sandbox["cgroups"])
    if sandbox:
        if left:
            result["leftovers"] = len(left)
        if peak is not None:
            result.setdefault("sandbox_usage", {})["cgroup_peak_mb"] = peak
    return result


def _run_worker(task: Path, log: Path, hard_limit: float, threads: int) -> dict:
    """Run the worker process for one task; kill its whole process group past `hard_limit` seconds."""
    env = dict(os.environ)
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(variable, str(threads))
    env.setdefault("PYTHONUNBUFFERED", "1")
    started = time.perf_counter()
    with open(log, "w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "course.grading.worker", str(task / "task.json")],
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=task,
            env=env,
            start_new_session=True,
        )
        RUNNING.add(process)
        try:
            process.wait(timeout=hard_limit)
        except subprocess.TimeoutExpired:
            kill_group(process)
            return {
                "status": "killed",
                "seconds": round(time.perf_counter() - started, 2),
                "error": f"grading this notebook took over {hard_limit:.0f} s; its process was killed",
            }
        finally:
            RUNNING.discard(process)
            kill_group(process)  # whatever the worker left in its process group
    try:
        return json.loads((task / RESULT).read_text())
    except (OSError, ValueError):
        return {
            "status": "error",
            "seconds": round(time.perf_counter() - started, 2),
            "error": f"the worker exited with code {process.returncode} without a result (see {log})",
        }


if __name__ == "__main__":
    watch_parent()
    outcome = run(Path(sys.argv[1]))
    sys.exit(0 if outcome["status"] == "graded" else 3)
