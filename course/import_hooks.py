"""Run a function right after a module is imported, without importing it ourselves.

`setup()` uses this to quiet transformers and datasets the moment a notebook
imports them, so that the setup cell does not pay for importing libraries the
notebook may only need later (or never).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable
from types import ModuleType

Callback = Callable[[ModuleType], None]

_pending: dict[str, list[Callback]] = {}
_lock = threading.Lock()


class _AfterImportFinder(importlib.abc.MetaPathFinder):
    """A meta-path finder that defers to the others and wraps the loader of watched modules."""

    def find_spec(self, fullname, path, target=None):  # noqa: ANN001, ANN201 - importlib protocol
        if fullname not in _pending:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                spec.loader = _CallbackLoader(spec.loader)
                return spec
            if spec is not None:
                return spec
        return None


class _CallbackLoader(importlib.abc.Loader):
    """Executes the module with the real loader, then runs the callbacks waiting for it."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        with _lock:
            callbacks = _pending.pop(module.__name__, [])
        for callback in callbacks:
            callback(module)

    def __getattr__(self, name: str):  # noqa: ANN204 - e.g. get_resource_reader, is_package
        return getattr(self._loader, name)


_finder = _AfterImportFinder()


def when_imported(module_name: str, callback: Callback) -> None:
    """Call `callback(module)` now if `module_name` is imported, else right after its import."""
    module = sys.modules.get(module_name)
    if module is not None:
        callback(module)
        return
    with _lock:
        _pending.setdefault(module_name, []).append(callback)
        if _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)
