"""Hints and failure messages never give the answer (issues #19 part 9, #20 part 4): no hint level of any
registered check, and no static failure message of any check module, shares a run of RUN consecutive code
tokens with the code of the solution it is about.

How the texts are compared:
- The solution's code is what nbgrader hides from the learner: the lines between `### BEGIN SOLUTION` and
  `### END SOLUTION` of the solution cell that comes before the self-check (`course.check("name", ...)`), in
  every notebook of solutions/ that calls the check.
- Both sides are cut into tokens with Python's `tokenize` module. Comments, line breaks and indentation are
  skipped; a string literal is ONE token, compared by its value (`'pt'` and `"pt"` are the same token), so a
  hint that quotes an argument value (`"max_length"`) is a token like any other. Prose is tokenized the same
  way (words are names, punctuation operators), with apostrophes inside words ("it's") kept from opening a
  string; a text that Python's tokenizer rejects falls back to a regular expression of the same tokens.
- A failure message is the first argument of a `fail(...)` call in the module, read from the source with
  `ast`; an f-string's `{...}` parts become a placeholder that matches nothing (the values they show are the
  self-check's own inputs, which it may show). Messages are held against the solutions of every notebook
  whose self-checks call a check of that module.

RUN = 8 tokens: `torch.softmax(logits, dim=-1)` is 11 tokens, `model.config.id2label[index]` 8, while naming
an API with its argument names but not their values (`tokenizer.decode(..., skip_special_tokens=...)`)
stays below it.
"""

from __future__ import annotations

import ast
import importlib
import io
import re
import textwrap
import tokenize
from functools import cache
from pathlib import Path

import nbformat
import pytest

from course.checks import CHECK_MODULES, available
from course.checks.base import HINTS, REGISTRY

REPO = Path(__file__).resolve().parent.parent
RUN = 8
SKIPPED = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
}
# the tokens of Python, for texts that `tokenize` rejects (an unbalanced bracket or quote in prose)
FALLBACK = re.compile(
    r"[A-Za-z_]\w*|\d+(?:\.\d+)?|'[^'\n]*'|\"[^\"\n]*\"|\.\.\.|\*\*|//|==|!=|<=|>=|->|[^\s\w]"
)
APOSTROPHE = re.compile(r"(?<=[A-Za-z])'(?=[A-Za-z])")  # it's, sentence's: not the start of a string
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
CHECK_CALL = re.compile(r"course\.check\(\s*[\"'](\w+)[\"']")
PLACEHOLDER = " \x00 "  # an f-string's {...}: a token of its own that no code contains


def _value(text: str) -> str:
    """A string literal's token: its value's repr (the quotes used do not matter)."""
    try:
        return repr(ast.literal_eval(text))
    except (ValueError, SyntaxError):
        return text


def code_tokens(text: str) -> list[str]:
    """The tokens of `text` as Python reads them, without comments, line breaks and indentation."""
    try:
        found = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return [_value(t) if t[0] in "'\"" else t for t in FALLBACK.findall(text)]
    kept = [t for t in found if t.type not in SKIPPED]
    return [_value(t.string) if t.type == tokenize.STRING else t.string for t in kept]


def prose_tokens(text: str) -> list[str]:
    """The tokens of a hint or message: prose and code mixed."""
    return code_tokens(APOSTROPHE.sub("\u2019", text))


def runs(tokens: list[str], length: int = RUN) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + length]) for i in range(len(tokens) - length + 1)}


def shared(text: str, solution_code: str) -> list[str]:
    """The runs of RUN tokens that `text` has in common with `solution_code`."""
    code = runs(code_tokens(textwrap.dedent(solution_code)))
    return sorted(" ".join(run) for run in runs(prose_tokens(text)) if run in code)


@cache
def solutions() -> dict[str, tuple[tuple[str, str], ...]]:
    """check name -> ((notebook:grade_id, solution code), ...): the solution cell before each self-check."""
    found: dict[str, list[tuple[str, str]]] = {}
    for path in sorted((REPO / "solutions").rglob("*.ipynb")):
        last = None
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution"):
                code = "\n".join(textwrap.dedent(block) for block in SOLUTION.findall(cell.source))
                last = (f"{path.relative_to(REPO / 'solutions').as_posix()}:{meta['grade_id']}", code)
            for name in CHECK_CALL.findall(cell.source):
                if last is not None and last not in found.setdefault(name, []):
                    found[name].append(last)
    return {name: tuple(cells) for name, cells in found.items()}


def course_checks() -> list[str]:
    """The checks of the course's modules (tests register their own, without notebooks)."""
    return [name for name in available() if REGISTRY[name].__module__ in CHECK_MODULES]


def _text_of(node: ast.expr) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else PLACEHOLDER for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _text_of(node.left) + _text_of(node.right)
    return PLACEHOLDER


def failure_messages(module: str) -> list[tuple[int, str]]:
    """(line, text) of the message of every `fail(...)` call in the check module."""
    tree = ast.parse(Path(importlib.import_module(module).__file__).read_text())
    return [
        (node.lineno, _text_of(node.args[0]))
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "fail" and node.args
    ]


def test_the_token_runs_see_code_in_prose():
    leak = "these are the raw logits: use torch.softmax(logits, dim=-1) instead"
    assert shared(leak, "return torch.softmax(logits, dim=-1)\n")
    quotes = "pass tokenizer(texts, padding='max_length', truncation=True, max_length=length)"
    assert shared(quotes, 'return tokenizer(texts, padding="max_length", truncation=True, max_length=length)')
    softmax = "return torch.softmax(logits, dim=-1)"
    assert not shared("torch.softmax over the labels: which dimension?", softmax)
    quote = "\u2019"
    assert prose_tokens("it's the model's logits") == ["it", quote, "s", "the", "model", quote, "s", "logits"]
    assert code_tokens("x = 1  # a comment\n") == ["x", "=", "1"]
    assert code_tokens("f('a)") == ["f", "(", "'", "a", ")"]  # rejected by tokenize: the fallback


def test_every_check_of_the_course_has_a_solution_cell():
    missing = [name for name in course_checks() if name not in solutions()]
    assert not missing, f"checks that no notebook's self-check calls after a solution cell: {missing}"


@pytest.mark.parametrize("name", course_checks())
def test_no_hint_level_gives_the_solution(name):
    leaks = [
        f"{where}, hint level {level}: {run}"
        for where, code in solutions().get(name, ())
        for level, hint in enumerate(HINTS.get(name, ()), start=1)
        for run in shared(hint, code)[:1]
    ]
    assert not leaks, f"{name}'s hints share runs of {RUN} tokens with the solution:\n" + "\n".join(leaks)


@pytest.mark.parametrize("module", CHECK_MODULES)
def test_no_failure_message_gives_the_solution(module):
    names = [name for name in course_checks() if REGISTRY[name].__module__ == module]
    cells = {cell for name in names for cell in solutions().get(name, ())}
    leaks = [
        f"line {line}, against {where}: {run}"
        for line, text in failure_messages(module)
        for where, code in sorted(cells)
        for run in shared(text, code)[:1]
    ]
    assert not leaks, f"{module}'s failure messages share runs of {RUN} tokens with solutions:\n" + "\n".join(
        leaks
    )
