"""Fast unit tests of the grading pieces: the tampering scan, the trusted helpers, the pre-screen."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from course.grading.scan import instructor_sources, scan_notebook, scan_source
from course.grading.submissions import Submission, prescreen
from course.grading.trusted import close, exact, fresh_check, fresh_modules, require
from course.notebooks import notebook_paths

pytestmark = pytest.mark.grading


def kinds(source: str) -> set[str]:
    return {f"{f.severity}: {f.what}" for f in scan_source(source)}


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import course\ncourse.check = lambda *a: None", "tamper: assigns to course.check"),
        (
            "from course.checks.base import CheckResult\nCheckResult.assert_passed = lambda s: None",
            "tamper: assigns to CheckResult.assert_passed",
        ),
        ("import course.checks as c\nc.REGISTRY['x'] = f", "tamper: assigns to c.REGISTRY['x']"),
        ("import builtins\nbuiltins.len = lambda x: 2", "tamper: assigns to builtins.len"),
        ("import sys\nsys.modules['course'] = object()", "tamper: uses sys.modules"),
        ("exec('x = 1')", "tamper: dynamic code: exec()"),
        ("setattr(obj, 'x', 1)", "tamper: dynamic code: setattr()"),
        ("globals()['course'] = 1", "tamper: dynamic code: globals()"),
        ("get_ipython().input_transformers_cleanup.append(f)", "tamper: uses get_ipython"),
        ("!rm -rf ~/", "tamper: uses get_ipython"),
        ("%time course.check = None", "tamper: assigns to course.check"),
        ("import course.grading.trusted", "tamper: imports course.grading.trusted"),
        ("f.__globals__['x'] = 1", "tamper: reaches into f.__globals__"),
        ("course = None", "tamper: rebinds course"),
        ("def len(x):\n    return 2", "note: shadows the builtin len"),
    ],
)
def test_scan_finds(source, expected):
    assert expected in kinds(source)


@pytest.mark.parametrize(
    "source",
    [
        "model.eval()\n_ = model.eval()",
        "import torch\nx = torch.tensor([1])",
        "%time y = f(2)",
        "!pip install transformers",
        "%matplotlib inline",
        "import course\nenv = course.setup()",
        "def square(x)\n    return x",
        "batch = tokenizer(['a'], return_tensors='pt')",
    ],
)
def test_scan_leaves_ordinary_code_alone(source):
    assert not [f for f in scan_source(source) if f.severity == "tamper"]


def test_scan_skips_the_instructors_cells_of_every_real_notebook():
    for path in notebook_paths():
        notebook = nbformat.read(path, as_version=4)
        assert scan_notebook(notebook, instructor_sources(path)) == [], path


def test_exact_refuses_forged_equality():
    class Liar(list):
        def __eq__(self, other):
            return True

        __hash__ = None

    assert exact(["a", "b"], ["a", "b"]) and not exact(Liar(), ["a", "b"])
    assert not exact(True, 1) and not exact(1.0, 1) and exact({"a": [1]}, {"a": [1]})
    torch = pytest.importorskip("torch")
    assert exact(torch.tensor([1, 2]), torch.tensor([1, 2]))
    assert not exact(torch.tensor([1, 2]), torch.tensor([1.0, 2.0]))
    assert close(0.1 + 0.2, 0.3) and not close("0.3", 0.3)
    import numpy

    assert close(numpy.float64(0.3), 0.3) and not close(numpy.float64(0.5), 0.3)

    class Forged(float):
        def __sub__(self, other):
            return 0.0

    assert not close(Forged(9.0), 0.3), "a float subclass must not pass"


def test_fresh_check_ignores_monkeypatched_course(monkeypatch):
    import course
    import course.checks
    from course.checks.base import REGISTRY, CheckResult, success

    names = course.checks.available()
    if not names:
        pytest.skip("no checks registered yet")
    name = names[0]
    monkeypatch.setattr(course.checks, "run_check", lambda *a, **k: success("forged"))
    monkeypatch.setattr(CheckResult, "assert_passed", lambda self: None)
    monkeypatch.setitem(REGISTRY, name, lambda *a, **k: success("forged"))
    result = fresh_check(name, object())  # a nonsense answer
    assert result.passed is False and "forged" not in result.message
    with pytest.raises(AssertionError, match=r"\[NOT YET\]"):
        require(name, object())
    assert fresh_modules()["course.checks"] is not course.checks
    assert course.checks.run_check(name).message == "forged"  # the learner's kernel is left as it was


def test_trusted_loaders_ignore_a_patched_course(monkeypatch):
    import contextlib
    import io

    import course
    from course.grading import trusted

    monkeypatch.setattr(course, "load_tokenizer", lambda *a, **k: "forged", raising=False)
    with contextlib.redirect_stdout(io.StringIO()):
        tokenizer = trusted.load_tokenizer("bert-base-uncased")
    assert tokenizer("hello")["input_ids"] == [101, 7592, 102]


def test_prescreen(tmp_path):
    good = tmp_path / "good.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    notebook.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="forged\n")]
    nbformat.write(notebook, good)
    sub = Submission("s", "a", "good", path=good)
    assert prescreen(sub, tmp_path / "out" / "good.ipynb")
    assert nbformat.read(tmp_path / "out" / "good.ipynb", as_version=4).cells[0].outputs == []
    for text, reason in [
        ("{not json", "not valid JSON"),
        (json.dumps({"a": 1}), "not a valid notebook"),
        (json.dumps([1, 2]), "not a valid notebook"),
    ]:
        bad = tmp_path / "bad.ipynb"
        bad.write_text(text)
        sub = Submission("s", "a", "bad", path=bad)
        assert not prescreen(sub, tmp_path / "out" / "bad.ipynb") and reason in sub.problem


# --- the submission's nbgrader metadata, feedback without hidden tests (issue #13's side findings) ------


def _graded_notebook():
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    def meta(grade_id, **flags):
        base = {"grade": False, "locked": False, "solution": False, "task": False, "schema_version": 3}
        return {"nbgrader": {**base, "grade_id": grade_id, **flags}}

    return new_notebook(
        cells=[
            new_markdown_cell("# task", metadata=meta("task", locked=True)),
            new_code_cell("x = 1", metadata=meta("answer", solution=True)),
            new_code_cell(
                "assert x == 1\n### BEGIN HIDDEN TESTS\n"
                "assert x + 41 == 42, 'forty-two'\n### END HIDDEN TESTS",
                metadata=meta("answer-tests", grade=True, locked=True, points=2),
            ),
        ]
    )


def test_restore_metadata_puts_back_the_release_and_drops_strangers():
    import copy

    from course.grading.submissions import restore_metadata

    release = _graded_notebook()
    submitted = copy.deepcopy(release)
    submitted.cells[2].metadata["nbgrader"]["points"] = "100"  # edited points
    submitted.cells[1].metadata["nbgrader"].update(grade=True, points=50)  # an answer made a test
    extra = nbformat.v4.new_code_cell(
        "y = 2", metadata={"nbgrader": {"grade_id": "answer-tests", "grade": True}}
    )
    submitted.cells.append(extra)  # a second claim on the test's id
    submitted.cells.append(nbformat.v4.new_code_cell("z = 3", metadata={"nbgrader": "junk"}))
    changes = restore_metadata(submitted, release)
    assert [c.metadata.get("nbgrader") for c in submitted.cells[:3]] == [
        c.metadata["nbgrader"] for c in release.cells
    ]
    assert "nbgrader" not in submitted.cells[3].metadata and "nbgrader" not in submitted.cells[4].metadata
    assert len(changes) == 4
    assert restore_metadata(copy.deepcopy(release), release) == []


def test_feedback_clears_hidden_tests_in_test_cells_only_and_redacts_quotes(tmp_path):
    import copy

    from course.grading.preprocessors import ClearHiddenTestsSafely, RedactHiddenTests

    source = _graded_notebook()
    nbformat.write(source, tmp_path / "source.ipynb")
    nb = copy.deepcopy(source)
    nb.cells[1].source = "x = 1  # ### BEGIN HIDDEN TESTS, typed by the learner"
    nb.cells[1].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="In: assert x + 41 == 42, 'forty-two'\n")
    ]
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="fine\n")]
    nb, _ = ClearHiddenTestsSafely().preprocess(nb, {})
    assert "typed by the learner" in nb.cells[1].source  # the learner's cell is theirs (nbgrader raised here)
    assert "forty-two" not in nb.cells[2].source and "assert x == 1" in nb.cells[2].source
    nb, _ = RedactHiddenTests(source_notebook=str(tmp_path / "source.ipynb")).preprocess(nb, {})
    assert "forty-two" not in json.dumps(nb) and "hidden by the grader" in nb.cells[1].outputs[0].text
    assert nb.cells[2].outputs[0].text == "fine\n"
    broken = copy.deepcopy(source)
    broken.cells[2].source = "### BEGIN HIDDEN TESTS\nassert secret"  # no END: nothing of it is shown
    broken, _ = ClearHiddenTestsSafely().preprocess(broken, {})
    assert "secret" not in broken.cells[2].source


def test_sandbox_limits_and_command_show_only_the_allow_list(tmp_path):
    from course.grading import sandbox
    from course.grading.grade import sandbox_limits
    from course.notebooks import REPO

    limits = sandbox_limits({"memory_mb": 1000, "cpu_s": None})
    assert limits["memory_mb"] == 1000 and limits["cpu_s"] == sandbox_limits()["cpu_s"]
    with pytest.raises(ValueError):
        sandbox_limits({"memory_mb": 0})
    with pytest.raises(ValueError):
        sandbox_limits({"disk": 5})
    view = sandbox.prepare_view(tmp_path / "staging")
    private = tmp_path / "private"
    private.mkdir()
    argv = sandbox.command(view, limits, 3_000_000, private, ["python", "-c", "pass"])
    mounted = {argv[i + 1] for i, a in enumerate(argv) if a == "--ro-bind"}
    for forbidden in (REPO, REPO / "solutions", REPO / "tests", Path.home(), Path("/")):
        assert str(forbidden) not in mounted, forbidden
    assert str(REPO / "course") in mounted
    for flag in ("--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session"):
        assert flag in argv
    assert "--as=1048576000" in argv and "--bind" not in argv and "--dev-bind" not in argv
    if os.geteuid() == 0:
        assert "--reuid=3000000" in argv


# --- probes: canonical values, the comparison, the verdict (issue #13: points decided outside the kernel) --


def _probe_output(key, value, **extra):
    from course.grading.probe import MIME, payload

    data = {**payload(key, value), **extra}
    return nbformat.v4.new_output("display_data", data={MIME: data})


def _test_cell(grade_id="t", outputs=(), source="_emit('x', 1)"):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "points": 2, "locked": True}
    cell.outputs = list(outputs)
    return cell


def test_canonical_keeps_what_a_comparison_needs():
    import json as _json
    import math

    import numpy
    import torch

    from course.grading.probe import ProbeError, canonical

    value = {
        "ids": torch.tensor([[1, 2], [3, 4]]),
        "probs": numpy.array([0.25, 0.75], dtype=numpy.float32),
        "pair": (1, 2.5),
        2: [True, None, "x", numpy.int64(7), numpy.float64(0.5)],
        "tags": {"b", "a"},
        "odd": [math.nan, -math.inf],
        "other": object(),
    }
    got = canonical(value)
    assert _json.loads(_json.dumps(got, allow_nan=False)) == got  # plain, strict JSON
    items = dict((_json.dumps(k), v) for k, v in got["items"])
    assert items['"ids"'] == {
        "$": "tensor",
        "kind": "torch",
        "dtype": "torch.int64",
        "shape": [2, 2],
        "data": [1, 2, 3, 4],
    }
    assert items['"probs"']["kind"] == "numpy" and items['"probs"']["dtype"] == "float32"
    assert items['"pair"'] == {"$": "tuple", "items": [1, 2.5]}
    assert items["2"] == [True, None, "x", 7, 0.5]
    assert items['"tags"'] == {"$": "set", "items": ["a", "b"]}
    assert items['"odd"'] == [{"$": "float", "value": "nan"}, {"$": "float", "value": "-inf"}]
    assert items['"other"'] == {"$": "object", "type": "builtins.object"}
    deep: list = []
    for _ in range(40):
        deep = [deep]
    with pytest.raises(ProbeError):
        canonical(deep)
    assert canonical(torch.tensor([1.0], requires_grad=True))["data"] == [1.0]


@pytest.mark.parametrize(
    "expected, got, tol, result",
    [
        (3, 3, 0, True),
        (3, 3.0, 1, False),  # ints are exact, type included
        (3, True, 1, False),
        (True, 1, 0, False),
        (0.5, 0.5 + 1e-7, 1e-6, True),
        (0.5, 0.5 + 1e-5, 1e-6, False),
        (0.5, 0.5 + 1e-9, 0, False),  # no tolerance: exact
        (1.0, 1, 0, True),  # an int for a float
        (1.0, float("nan"), 1e9, False),
        (1.0, float("inf"), float("inf"), False),
        ("a", "a", 0, True),
        ("a", ["a"], 0, False),
        ([1, 2], [1, 2, 3], 0, False),
        ([1, 2], {"$": "tuple", "items": [1, 2]}, 0, False),
        ({"$": "tuple", "items": [1, 2]}, [1, 2], 0, False),
        ({"$": "dict", "items": [["a", 1]]}, {"$": "dict", "items": [["a", 1], ["b", 2]]}, 0, False),
        ({"$": "float", "value": "nan"}, {"$": "float", "value": "nan"}, 0, True),
        ({"$": "object", "type": "x.Y"}, {"$": "object", "type": "x.Z"}, 0, False),
        (None, 0, 0, False),
        ({"$": "unknown"}, {"$": "unknown"}, 0, False),
    ],
)
def test_same_is_strict_on_types_and_tolerant_on_floats_only(expected, got, tol, result):
    from course.grading.verdict import same

    assert same(expected, got, tol) is result


def test_same_on_tensors_checks_kind_dtype_shape_then_data():
    import torch

    from course.grading.probe import canonical
    from course.grading.verdict import same

    want = canonical(torch.tensor([[0.1, 0.2]]))
    assert same(want, canonical(torch.tensor([[0.1, 0.2 + 1e-5]])), 1e-4)
    assert not same(want, canonical(torch.tensor([[0.1, 0.2 + 1e-3]])), 1e-4)
    assert not same(want, canonical(torch.tensor([[0.1, 0.2]], dtype=torch.float64)), 1e-4)
    assert not same(want, canonical(torch.tensor([0.1, 0.2])), 1e-4)  # shape
    assert not same(want, canonical(__import__("numpy").array([[0.1, 0.2]], dtype="float32")), 1e-4)
    assert not same(want, {**want, "data": [0.1, 0.2, 0.3]}, 1e-4)
    assert not same(want, {k: v for k, v in want.items() if k != "data"}, 1e-4)


def test_the_verdict_zeroes_missing_repeated_and_wrong_probes_and_names_only_keys():
    from nbgrader.utils import determine_grade

    from course.grading.verdict import judge

    expected = {
        "t": {
            "words": {"value": ["hello", "world"], "tol": 0.0, "hint": "in order"},
            "score": {"value": 0.75, "tol": 1e-3, "hint": ""},
        }
    }

    def verdict(*outputs):
        nb = nbformat.v4.new_notebook(cells=[_test_cell(outputs=outputs)])
        record = judge(nb, expected)
        return record["t"], nb.cells[0], determine_grade(nb.cells[0])[0]

    right = [_probe_output("words", ["hello", "world"]), _probe_output("score", 0.7504)]
    status, cell, score = verdict(*right)
    assert status == "ok" and score == 2.0 and len(cell.outputs) == 2
    extra = _probe_output("other", 1)  # keys the solution does not emit are ignored
    assert verdict(*right, extra)[0] == "ok"
    status, cell, score = verdict(_probe_output("words", ["world", "hello"]), right[1])
    assert score == 0 and "words differs from the expected value: in order" in status
    message = cell.outputs[0]["evalue"]
    assert cell.outputs[0]["ename"] == "ProbeMismatch" and message.startswith("[NOT YET] words differs")
    assert "hello" not in message and "0.75" not in message  # no expected value, no input
    status, _, score = verdict(right[0])
    assert score == 0 and "score was not reported" in status
    status, _, score = verdict(*right, right[0])  # the last one would be right: repeats are refused
    assert score == 0 and "words was reported 2 times" in status
    loose = _probe_output(
        "score", 0.9, tol=1.0, hint="forged"
    )  # the learner's tol and hint count for nothing
    status, _, score = verdict(right[0], loose)
    assert score == 0 and "forged" not in status
    result = nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=1)
    status, cell, score = verdict(result, _probe_output("words", ["x"]), right[1])
    assert score == 0 and cell.outputs[0]["output_type"] == "error"  # first: before a forged partial credit
    crash = nbformat.v4.new_output("error", ename="NameError", evalue="name 'f' is not defined", traceback=[])
    status, cell, score = verdict(crash)
    assert score == 0 and cell.outputs[0]["ename"] == "NameError"  # the kernel's own message stays first
    garbage = nbformat.v4.new_output("display_data", data={"application/vnd.course.probe+json": "{not json"})
    assert verdict(garbage, *right)[0] == "ok"
    for forged in ({"key": "words"}, {"key": "words", "value": None}):
        odd = nbformat.v4.new_output("display_data", data={"application/vnd.course.probe+json": forged})
        assert verdict(odd, *right)[2] == 0  # a second "words", malformed: refused
    nb = nbformat.v4.new_notebook(cells=[_test_cell("untested")])
    assert judge(nb, expected) == {} and nb.cells[0].outputs == []  # no probes in the solution: as before
    from course.grading.probe import canonical

    nested = {"t": {"flags": {"value": canonical([{"fp16": False}, (1, 2)]), "tol": 0.0, "hint": ""}}}
    cell = nbformat.from_dict(_test_cell(outputs=[_probe_output("flags", [{"fp16": False}, (1, 2)])]))
    assert judge(nbformat.v4.new_notebook(cells=[cell]), nested) == {
        "t": "ok"
    }  # NotebookNode dicts are dicts


def test_expected_values_come_only_from_a_solution_that_passes_its_tests():
    from course.grading.verdict import ReferenceFailed, expected_from

    good = _test_cell(outputs=[_probe_output("x", [1, 2], tol=0.5, hint="h")])
    plain = _test_cell("plain", source="assert True")
    assert expected_from(nbformat.v4.new_notebook(cells=[good, plain])) == {
        "t": {"x": {"value": [1, 2], "tol": 0.5, "hint": "h"}}
    }
    failing = _test_cell(outputs=[nbformat.v4.new_output("error", ename="E", evalue="v", traceback=[])])
    silent = _test_cell("silent", source="_emit('x', f())")  # calls emit, displayed nothing
    twice = _test_cell("twice", outputs=[_probe_output("x", 1), _probe_output("x", 1)])
    noisy = _test_cell("noisy", outputs=[nbformat.v4.new_output("stream", name="stderr", text="warn")])
    for cell in (failing, silent, twice, noisy):
        with pytest.raises(ReferenceFailed):
            expected_from(nbformat.v4.new_notebook(cells=[good, cell]))


def test_emit_displays_only_for_the_grader_and_feedback_hides_probes(monkeypatch):
    import IPython.display

    from course.grading import probe
    from course.grading.preprocessors import HideProbes

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    monkeypatch.delenv(probe.ENV, raising=False)
    probe.emit("k", [1])
    assert shown == []
    monkeypatch.setenv(probe.ENV, "1")
    probe.emit("k", (1,), tol=0.1, hint="h")
    assert shown == [
        (
            ({probe.MIME: {"key": "k", "value": {"$": "tuple", "items": [1]}, "tol": 0.1, "hint": "h"}},),
            {"raw": True},
        )
    ]
    with pytest.raises(probe.ProbeError):
        probe.emit("k", 1, tol=float("nan"))
    cell = _test_cell(
        outputs=[_probe_output("k", 1), nbformat.v4.new_output("stream", name="stdout", text="x")]
    )
    nb, _ = HideProbes().preprocess(nbformat.v4.new_notebook(cells=[cell]), {})
    assert [o["output_type"] for o in nb.cells[0].outputs] == ["stream"]


def test_hidden_tests_emit_probes_and_hold_no_expected_value():
    """Every graded test cell emits probes in its hidden section, and compares nothing there: an expected
    value the kernel computes or holds can be read by the learner's code and sent back as its result."""
    from course.grading.verdict import PROBE_CALL

    fixture = Path(__file__).parent / "fixtures" / "grading" / "solutions"
    paths = [*notebook_paths(), *sorted(fixture.glob("*/*.ipynb"))]
    comparisons = ("exact(", "close(", "allclose(", "equal(", "require(", "fresh_check(", "array_equal(")
    for path in paths:
        for cell in nbformat.read(path, as_version=4).cells:
            if not cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
                continue
            hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)[-1].split("### END HIDDEN TESTS", 1)[0]
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            assert PROBE_CALL in hidden, f"{path.name} {grade_id}: no probe in the hidden tests"
            assert not [c for c in comparisons if c in hidden], (
                f"{path.name} {grade_id}: compares in the kernel"
            )


# --- the grading steps (course.grading.grade._grade): each step on its own -------------------------------


def test_settings_are_checked_and_absolute(tmp_path, monkeypatch):
    from course.grading.settings import Settings

    monkeypatch.chdir(tmp_path)
    (tmp_path / "subs").mkdir()
    settings = Settings.build("subs", "out", limits={"cpu_s": 7}, sandbox=False, jobs=3)
    assert settings.out == tmp_path / "out" and settings.submissions_dir == tmp_path / "subs"
    assert settings.timeout > 0 and settings.limits["cpu_s"] == 7 and settings.jobs == 3
    assert settings.run_limits is None  # unsafe: no limits reach the kernels or the cache key
    assert Settings.build("subs", "out").run_limits == Settings.build("subs", "out").limits
    with pytest.raises(FileNotFoundError):
        Settings.build("nowhere", "out")
    with pytest.raises(ValueError, match="--force"):
        Settings.build("subs", "out", force=True, resume=True)
    with pytest.raises(ValueError, match="unknown sandbox limit"):
        Settings.build("subs", "out", limits={"gpus": 1})


def test_clearing_the_output_keeps_the_cache_and_foreign_files(tmp_path):
    from course.grading.coursedir import OWNED, clear_output

    for name in OWNED:
        (tmp_path / name).mkdir() if "." not in name else (tmp_path / name).write_text("old")
    (tmp_path / "cache").mkdir()
    (tmp_path / "notes.txt").write_text("the teacher's")
    clear_output(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "notes.txt"]


def test_reference_tasks_are_private_and_name_the_solution(tmp_path):
    from course.grading.expected import expected_path, prepare_reference, probed

    fixture = Path(__file__).parent / "fixtures" / "grading" / "solutions" / "fixture"
    assert probed(fixture / "01_basics.ipynb")
    course = tmp_path / "nbgrader"
    task = prepare_reference(tmp_path, course, "fixture", "01_basics", 5, None)
    spec = json.loads((task / "task.json").read_text())
    assert spec["mode"] == "reference" and spec["source"].endswith("solutions/fixture/01_basics.ipynb")
    assert (task.stat().st_mode & 0o777) == 0o700
    assert expected_path(course, "fixture", "01_basics") == course / "expected/fixture/01_basics.json"


def test_collect_reports_a_killed_task_as_zero_with_its_reason(tmp_path):
    from course.grading.collect import Outcome, _problems_from

    record = {
        "tamper": [{"cell": 3, "line": 2, "what": "assigns to course.check"}],
        "events": [{"cell": 4, "kind": "timeout"}, {"cell": 5, "kind": "kernel died"}],
        "notes": [{"what": "shadows the builtin list"}],
    }
    lines = _problems_from({"record": record})
    assert lines[0].startswith("tampering: cell 3 line 2") and "per-cell timeout" in lines[1]
    assert (
        "kernel died in cell 5" in lines[2]
        and lines[3] == "note: shadows builtins list (hidden while tests run)"
    )
    outcome = Outcome(Submission("s", "a", "n", tmp_path / "n.ipynb"))
    assert outcome.as_dict()["status"] == "graded" and outcome.as_dict()["cached"] is False


def test_runners_share_one_interface_and_the_worker_side_imports_no_orchestration():
    """LocalRunner and DaskRunner answer the same calls; cluster.py, runners.py, worker.py and the
    sandbox modules import nothing of grade.py or its steps (the import circle of #22 stays gone)."""
    import ast
    import inspect

    from course.grading import runners

    for method in ("capacity", "submit", "receive", "close"):
        wanted = list(inspect.signature(getattr(runners.Runner, method)).parameters)
        for runner in (runners.LocalRunner, runners.DaskRunner):
            assert list(inspect.signature(getattr(runner, method)).parameters) == wanted, (runner, method)
    steps = {"grade", "settings", "coursedir", "tasks", "job", "expected", "dispatch", "collect", "summary"}
    folder = Path(runners.__file__).parent
    for name in ("cluster", "runners", "worker", "sandbox_run", "sandbox", "cgroups", "lifetime"):
        tree = ast.parse((folder / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported = {node.module.rsplit(".", 1)[-1]} | {a.name for a in node.names}
                if node.module.startswith("course.grading"):
                    assert not imported & steps, f"{name}.py imports {node.module}"
