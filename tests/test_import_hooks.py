"""`when_imported` and the quiet setup: libraries are quieted when imported, not imported by setup."""

from __future__ import annotations

import subprocess
import sys

from course.import_hooks import when_imported


def test_callback_runs_after_a_later_import(tmp_path, monkeypatch):
    (tmp_path / "late_module_for_hook.py").write_text("VALUE = 41\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    seen = []
    when_imported("late_module_for_hook", lambda module: seen.append(module.VALUE + 1))
    assert seen == [], "the callback must wait for the import"
    import late_module_for_hook  # noqa: F401

    assert seen == [42]
    sys.modules.pop("late_module_for_hook")
    import late_module_for_hook  # noqa: F401, F811 - a second import does not call again

    assert seen == [42]


def test_callback_runs_at_once_for_an_imported_module():
    seen = []
    when_imported("json", lambda module: seen.append(module.__name__))
    assert seen == ["json"]


def test_setup_leaves_libraries_unimported_yet_quiet():
    code = (
        "import sys, course; course.setup(verbose=False); "
        "print(int('transformers' in sys.modules), int('datasets' in sys.modules)); "
        "import transformers, datasets; "
        "print(transformers.logging.get_verbosity(), "
        "int(transformers.utils.logging.is_progress_bar_enabled()), "
        "int(datasets.is_progress_bar_enabled()), datasets.logging.get_verbosity())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[:2] == ["0", "0"], "setup() must not import transformers or datasets"
    assert out[2:] == ["40", "0", "0", "40"], "imported later, both must be quiet (ERROR, no bars)"


def test_without_setup_the_libraries_are_not_quiet():
    """The test above can fail: a plain import leaves transformers' progress bars on."""
    code = "import transformers; print(int(transformers.utils.logging.is_progress_bar_enabled()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1"]


def _fresh_copy_of_import_hooks():
    """The module loaded again under another name, as the grader's fresh copy of `course` does."""
    import importlib.util

    import course.import_hooks as original

    spec = importlib.util.spec_from_file_location("course_import_hooks_copy", original.__file__)
    copy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(copy)
    return copy


def test_two_copies_share_one_finder_and_both_callbacks_run(tmp_path, monkeypatch):
    (tmp_path / "late_module_for_copies.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    copy = _fresh_copy_of_import_hooks()
    seen = []
    when_imported("late_module_for_copies", lambda module: seen.append("original"))
    copy.when_imported("late_module_for_copies", lambda module: seen.append("copy"))
    finders = [f for f in sys.meta_path if getattr(f, "course_after_import_finder", False)]
    assert len(finders) == 1, "a second copy must not add a second finder (they would recurse)"
    import late_module_for_copies  # noqa: F401

    assert seen == ["original", "copy"]


def test_a_finder_that_looks_the_name_up_again_does_not_recurse(tmp_path, monkeypatch):
    import importlib.abc
    import importlib.util

    (tmp_path / "late_module_for_reentry.py").write_text("VALUE = 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    calls = []

    class Curious(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname, path, target=None):
            if fullname == "late_module_for_reentry" and not calls:
                calls.append(fullname)
                importlib.util.find_spec(fullname)  # goes through sys.meta_path again
            return None

    monkeypatch.setattr(sys, "meta_path", [Curious(), *sys.meta_path])
    seen = []
    when_imported("late_module_for_reentry", lambda module: seen.append(module.VALUE))
    import late_module_for_reentry  # noqa: F401

    assert seen == [2] and calls == ["late_module_for_reentry"]
