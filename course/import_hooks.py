"""Run a function right after a module is imported, without importing it ourselves.

`setup()` uses this to quiet transformers and datasets the moment a notebook
imports them, so that the setup cell does not pay for importing libraries the
notebook may only need later (or never).

One finder serves the whole process, even when this module is loaded twice
(the grader loads a fresh copy of `course`): a copy finds the finder already on
`sys.meta_path` and registers its callbacks there.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable
from types import ModuleType

Callback = Callable[[ModuleType], None]
_MARK = "course_after_import_finder"


class _AfterImportFinder(importlib.abc.MetaPathFinder):
    """A meta-path finder that defers to the others and wraps the loader of watched modules."""

    course_after_import_finder = True

    def __init__(self) -> None:
        self.pending: dict[str, list[Callback]] = {}
        self.lock = threading.Lock()
        self.resolving = threading.local()  # names this thread is looking up now: no re-entry

    def find_spec(self, fullname, path, target=None):  # noqa: ANN001, ANN201 - importlib protocol
        if fullname not in self.pending:
            return None
        busy = getattr(self.resolving, "names", None)
        if busy is None:
            busy = self.resolving.names = set()
        if fullname in busy:
            return None
        busy.add(fullname)
        try:
            return self._wrapped_spec(fullname, path, target)
        finally:
            busy.discard(fullname)

    def _wrapped_spec(self, fullname, path, target):  # noqa: ANN001, ANN202
        for finder in sys.meta_path:
            if getattr(finder, _MARK, False) or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is None:
                continue
            if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                spec.loader = _CallbackLoader(spec.loader, self)
            return spec
        return None

    def take(self, name: str) -> list[Callback]:
        with self.lock:
            return self.pending.pop(name, [])


class _CallbackLoader(importlib.abc.Loader):
    """Executes the module with the real loader, then runs the callbacks waiting for it."""

    def __init__(self, loader: importlib.abc.Loader, finder: _AfterImportFinder) -> None:
        self._loader, self._finder = loader, finder

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        for callback in self._finder.take(module.__name__):
            callback(module)

    def __getattr__(self, name: str):  # noqa: ANN204 - e.g. get_resource_reader, is_package
        return getattr(self._loader, name)


def _finder() -> _AfterImportFinder:
    """The process's finder: the one already on sys.meta_path (maybe from another copy), or a new one."""
    for finder in sys.meta_path:
        if getattr(finder, _MARK, False):
            return finder
    finder = _AfterImportFinder()
    sys.meta_path.insert(0, finder)
    return finder


def when_imported(module_name: str, callback: Callback) -> None:
    """Call `callback(module)` now if `module_name` is imported, else right after its import."""
    module = sys.modules.get(module_name)
    if module is not None:
        callback(module)
        return
    finder = _finder()
    with finder.lock:
        finder.pending.setdefault(module_name, []).append(callback)
