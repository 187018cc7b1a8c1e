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
