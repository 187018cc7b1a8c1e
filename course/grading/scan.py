"""The static tampering scan: what the learner's cells do to the grading machinery, read from the source.

The scan runs in the grader's process on the submitted source, so nothing the learner's code does at
run time can hide it. It looks at every code cell the learner could edit (solution cells, unlocked
cells, cells they added) and reports two kinds of findings:

- "tamper": the cell changes what tests rely on or uses the tools that could do so unseen: assigning
  to or deleting attributes of `course`, `builtins`, `sys`, `importlib` or IPython; rebinding `course`
  or `get_ipython`; `exec`/`eval`/`compile`/`__import__`/`setattr`/`delattr`/`globals()`/`vars()`;
  importing `builtins`, `importlib`, `ctypes`, `gc`, `inspect`, `IPython`, `ipykernel` or
  `course.grading`; `sys.modules`, `sys.meta_path`, `sys.settrace` and other interpreter hooks;
  function internals (`__globals__`, `__code__`, `__closure__`, `__subclasses__`); `get_ipython()`
  beyond a few harmless magics; shell escapes other than `!pip`.
  The grader then gives the notebook's tests no points and flags it for manual review.
- "note": a builtin name shadowed at top level (`sum = 0`, `def len(x)`); harmless for grading,
  because the guarded executor hides such names while test cells run; reported only.
"""

from __future__ import annotations

import ast
import builtins
import re
from dataclasses import asdict, dataclass

PROTECTED_MODULES = {"builtins", "__builtins__", "sys", "importlib", "IPython", "ipykernel", "course"}
REBIND_FORBIDDEN = {"course", "__builtins__", "get_ipython", "__import__"}
DYNAMIC_CALLS = {
    "exec",
    "eval",
    "compile",
    "__import__",
    "setattr",
    "delattr",
    "globals",
    "vars",
    "breakpoint",
}
FORBIDDEN_IMPORTS = (
    "builtins",
    "importlib",
    "ctypes",
    "gc",
    "inspect",
    "IPython",
    "ipykernel",
    "course.grading",
)
SYS_HOOKS = {
    "modules",
    "meta_path",
    "path_hooks",
    "path_importer_cache",
    "settrace",
    "setprofile",
    "_getframe",
    "excepthook",
    "displayhook",
    "addaudithook",
    "__dict__",
    "__stdout__",
    "__stderr__",
}
INTERNALS = {
    "__globals__",
    "__code__",
    "__closure__",
    "__builtins__",
    "__subclasses__",
    "__bases__",
    "__mro__",
    "__func__",
    "__self__",
    "f_globals",
    "f_locals",
    "f_back",
    "gi_frame",
}
ALLOWED_MAGICS = {
    "time",
    "timeit",
    "matplotlib",
    "pip",
    "who",
    "whos",
    "who_ls",
    "pwd",
    "capture",
    "config",
    "precision",
    "pprint",
}
PIP_SHELL = re.compile(r"^\s*(pip3?|python3? -m pip)\s+(install|list|show|freeze)\b[^;&|`$<>]*$")
BUILTIN_NAMES = {name for name in dir(builtins) if not name.startswith("_")}


@dataclass(frozen=True)
class Finding:
    """One thing the scan saw: where, what, and whether it costs the notebook its points."""

    cell: int
    line: int
    severity: str  # "tamper" or "note"
    what: str

    def __str__(self) -> str:
        return f"cell {self.cell}, line {self.line}: {self.what}"

    def as_dict(self) -> dict:
        return asdict(self)


def _python_source(source: str) -> str:
    """IPython syntax (magics, !shell) turned into plain Python, as the kernel would run it."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return source
    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - untransformable source fails in the kernel, not here
        return source


def _root(node: ast.AST) -> ast.AST:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call, ast.Starred)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def _dotted(node: ast.AST) -> str:
    try:
        return ast.unparse(node)[:80]
    except Exception:  # noqa: BLE001
        return type(node).__name__


def _bound_names(target: ast.AST):
    if isinstance(target, ast.Name):
        yield target
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _bound_names(element)
    elif isinstance(target, ast.Starred):
        yield from _bound_names(target.value)


def _allowed_ipython_call(call: ast.Call) -> bool:
    """get_ipython().run_line_magic('time', ...) and friends, as IPython writes magics and !pip."""
    func = call.func
    if not (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == "get_ipython"
    ):
        return False
    first = call.args[0] if call.args else None
    value = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
    if value is None:
        return False
    if func.attr in {"run_line_magic", "run_cell_magic"}:
        return value in ALLOWED_MAGICS
    if func.attr in {"system", "getoutput"}:
        return bool(PIP_SHELL.match(value))
    return False


def _course_names(tree: ast.AST) -> set[str]:
    """The names a cell binds to `course` or to what it imports from it."""
    names = {"course"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "course" or alias.name.startswith("course."):
                    names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "course":
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def _ipython_magics(tree: ast.AST, cell: int) -> tuple[set[int], list[Finding]]:
    """The get_ipython() calls of allowed magics, and the findings of the code they run."""
    allowed: set[int] = set()
    findings: list[Finding] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _allowed_ipython_call(node):
            allowed.add(id(node.func.value.func))
            for argument in node.args[1:]:  # %time CODE, %%capture CELL: the code inside is scanned too
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    for nested in scan_source(argument.value, cell):
                        findings.append(Finding(cell, node.lineno, nested.severity, nested.what))
    return allowed, findings


def _targets(node: ast.AST) -> list[ast.AST]:
    """What a statement binds, assigns to or deletes."""
    if isinstance(node, (ast.Assign, ast.Delete)):
        return node.targets
    if isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr, ast.For, ast.AsyncFor)):
        return [node.target]
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [item.optional_vars for item in node.items if item.optional_vars is not None]
    return []


def _binding_findings(node: ast.AST, protected: set[str]) -> list[tuple[str, str]]:
    """(severity, what) for assignments into the grading machinery and rebound protected names."""
    found = []
    targets = _targets(node)
    for target in targets:
        for element in target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]:
            if isinstance(element, (ast.Attribute, ast.Subscript)):
                root = _root(element)
                if isinstance(root, ast.Name) and root.id in protected:
                    verb = "deletes" if isinstance(node, ast.Delete) else "assigns to"
                    found.append(("tamper", f"{verb} {_dotted(element)}"))
        for name in (n for t in targets for n in _bound_names(t)):
            if name.id in REBIND_FORBIDDEN:
                found.append(("tamper", f"rebinds {name.id}"))
            elif name.id in BUILTIN_NAMES:
                found.append(("note", f"shadows the builtin {name.id}"))
    return found


def _import_findings(node: ast.AST) -> list[tuple[str, str]]:
    """(severity, what) for forbidden imports and imports that rebind protected names."""
    found = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.startswith(FORBIDDEN_IMPORTS):
                found.append(("tamper", f"imports {alias.name}"))
            elif alias.asname in REBIND_FORBIDDEN:
                found.append(("tamper", f"rebinds {alias.asname}"))
    elif isinstance(node, ast.ImportFrom):
        module = node.module or ""
        if module.startswith(FORBIDDEN_IMPORTS) or node.level:
            found.append(("tamper", f"imports from {module or '.'}"))
        for alias in node.names:
            if (alias.asname or alias.name) in REBIND_FORBIDDEN - {"course"}:
                found.append(("tamper", f"rebinds {alias.asname or alias.name}"))
    return found


def _node_findings(node: ast.AST, allowed_ipython: set[int]) -> list[tuple[str, str]]:
    """(severity, what) for definitions, imports, dynamic code and reaches into internals."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        if node.name in REBIND_FORBIDDEN:
            return [("tamper", f"rebinds {node.name}")]
        if node.name in BUILTIN_NAMES:
            return [("note", f"shadows the builtin {node.name}")]
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        return _import_findings(node)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in DYNAMIC_CALLS:
        return [("tamper", f"dynamic code: {node.func.id}()")]
    elif isinstance(node, ast.Attribute):
        if node.attr in INTERNALS or (node.attr == "__class__" and isinstance(node.ctx, ast.Store)):
            return [("tamper", f"reaches into {_dotted(node)}")]
        if isinstance(node.value, ast.Name) and node.value.id == "sys" and node.attr in SYS_HOOKS:
            return [("tamper", f"uses sys.{node.attr}")]
    elif isinstance(node, ast.Name) and node.id in {"get_ipython", "__builtins__"}:
        if id(node) not in allowed_ipython:
            return [("tamper", f"uses {node.id}")]
    return []


def scan_source(source: str, cell: int = 0) -> list[Finding]:
    """Findings for one cell's source (empty when the cell does not parse: it fails when run)."""
    try:
        tree = ast.parse(_python_source(source))
    except (SyntaxError, ValueError):
        return []
    protected = PROTECTED_MODULES | _course_names(tree)
    allowed_ipython, findings = _ipython_magics(tree, cell)
    for node in ast.walk(tree):
        found = _binding_findings(node, protected) + _node_findings(node, allowed_ipython)
        line = getattr(node, "lineno", 0)
        findings += [Finding(cell, line, severity, what) for severity, what in found]
    unique = {(f.line, f.severity, f.what): f for f in findings}
    return sorted(unique.values(), key=lambda f: (f.line, f.what))


def scan_notebook(notebook, trusted_sources: set[str] | frozenset = frozenset()) -> list[Finding]:
    """Findings for every code cell a learner could have written or changed.

    Skipped: cells nbgrader locks (restored from the gradebook before this runs) and cells whose
    source is exactly one of `trusted_sources` (the instructor's own cells, from the source notebook).
    """
    findings = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or cell.source.strip() in trusted_sources:
            continue
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        if nbgrader.get("locked") and not nbgrader.get("solution"):
            continue
        findings.extend(scan_source(cell.source, index))
    return findings


def instructor_sources(path) -> frozenset[str]:
    """The code cell sources of the instructor's notebook (the nbgrader source), stripped."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    return frozenset(c.source.strip() for c in notebook.cells if c.cell_type == "code" and c.source.strip())
