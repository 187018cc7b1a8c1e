"""Reading a learner's quiz answer, and the self-check's verdict.

One reading serves the self-check and the grade: `read_answer` turns what the learner wrote into a
normalized string ("c" for one letter, "a,c,d" for a set) or None with the reason. The self-check compares the
hash of that string with the bank's; the graded cell's hidden test emits the same string and the grader
compares it, outside the kernel, with what the solution notebook emitted. So the self-check is exactly as
strict as the grade: the same answers pass both (tests/test_quiz.py proves it on every possible answer).

Accepted: one lower-case letter in quotes ("b") for a one-answer question; a set of such letters ({"a", "c"})
for a question that asks for every right option. Everything else gets a message saying how to write it, and
no point: "B", "b)", ["b"], "a,c", a set for a one-answer question, letters with no option.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass, field

from course.quiz.bank import Question, answer_hash, changed_note, explanations, question

_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxset, _SHORT.maxlist = 24, 24, 8, 8
_STRIP = " \t\n()[].:)-'\""
WIDTH = 110  # the self-check wraps its lines at this width


@dataclass(frozen=True)
class Reading:
    """A normalized answer ("c", "a,c"), or None and why it is not one."""

    value: str | None
    problem: str = ""


def _one_letter(text: str, q: Question) -> str | None:
    """The option letter a malformed string probably means ("B", " b)", "(b)" -> "b"), else None."""
    guess = text.strip(_STRIP).lower()
    return guess if len(guess) == 1 and guess in q.letters else None


def _choices(q: Question) -> str:
    return f'"{q.letters[0]}" to "{q.letters[-1]}"'


def _read_single(q: Question, answer: object) -> Reading:
    if answer is None:
        return Reading(None, f"not answered yet: write the letter of your choice in quotes ({_choices(q)})")
    if type(answer) is str:
        if answer == "":
            return Reading(
                None, f"not answered yet: write the letter of your choice in quotes ({_choices(q)})"
            )
        if len(answer) == 1 and answer in q.letters:
            return Reading(answer)
        guess = _one_letter(answer, q) if len(answer) <= 8 else None
        if guess:
            return Reading(None, f'write just "{guess}": one lower-case letter in quotes, nothing around it')
        return Reading(None, f"there is no option {_SHORT.repr(answer)}: the options are {_choices(q)}")
    if type(answer) in (set, frozenset, list, tuple):
        return Reading(
            None,
            f"this question has one right option: write its letter as a string, in quotes "
            f"({_choices(q)}), not a {type(answer).__name__}",
        )
    return Reading(None, f"expected one letter in quotes ({_choices(q)}), got {type(answer).__name__}")


def _read_multiple(q: Question, answer: object) -> Reading:
    set_form = f"a set of letters in braces, from {_choices(q)}"
    if answer is None:
        return Reading(None, f"not answered yet: write every option you choose as {set_form}")
    if type(answer) is str:
        if answer == "":
            return Reading(None, f"not answered yet: write every option you choose as {set_form}")
        return Reading(
            None,
            f"this question may have several right options: answer with {set_form}, "
            "even if you choose only one",
        )
    if type(answer) not in (set, frozenset, list, tuple):
        return Reading(None, f"expected {set_form}, got {type(answer).__name__}")
    if len(answer) > len(q.letters):
        return Reading(None, f"more letters than options: expected {set_form}")
    if not all(type(item) is str for item in answer):
        return Reading(None, f"expected {set_form}: each letter a string in quotes")
    if type(answer) in (list, tuple):
        return Reading(
            None, f"write the letters in braces, as a set ({{...}}), not as a {type(answer).__name__}"
        )
    if not answer:
        return Reading(None, f"not answered yet: write every option you choose as {set_form}")
    wrong = sorted(item for item in answer if not (len(item) == 1 and item in q.letters))
    if wrong:
        guesses = [_one_letter(item, q) for item in wrong]
        if all(guesses):
            fixed = ", ".join(f'"{g}"' for g in sorted(set(guesses)))
            return Reading(
                None,
                f"write each letter alone, lower case, in quotes: {fixed} rather than "
                f"{', '.join(_SHORT.repr(w) for w in wrong)}",
            )
        return Reading(None, f"no option is called {_SHORT.repr(wrong)}: the options are {_choices(q)}")
    return Reading(",".join(sorted(answer)))


def read_answer(qid: str, answer: object) -> Reading:
    """Normalize `answer` to question `qid` (see the module docstring). Never raises for any answer."""
    q = question(qid)
    return _read_multiple(q, answer) if q.multiple else _read_single(q, answer)


def normalize(qid: str, answer: object) -> str | None:
    """The normalized answer ("c", "a,c") the graded cell reports, or None when there is none."""
    return read_answer(qid, answer).value


@dataclass
class QuizResult:
    """The self-check's verdict: passed or not, a one-line message, and explanation lines."""

    passed: bool
    message: str
    lines: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        import textwrap

        mark = "PASSED" if self.passed else "NOT YET"
        lines = [
            textwrap.fill(line, WIDTH, initial_indent="  ", subsequent_indent="      ") for line in self.lines
        ]
        return "\n".join([textwrap.fill(f"[{mark}] {self.message}", WIDTH, subsequent_indent="  "), *lines])


def result(qid: str, answer: object) -> QuizResult:
    """The verdict on `answer` to question `qid`, with the explanations of the options it chose (of every
    option once it is right)."""
    q = question(qid)
    reading = read_answer(qid, answer)
    if reading.value is None:
        return QuizResult(False, f"{q.label}: {reading.problem}.")
    chosen = reading.value.split(",")
    passed = answer_hash(q.salt, q.id, reading.value) == q.right
    every = explanations(q)
    if passed:
        lines = [
            f"({e.letter}) {'right' if e.right else 'wrong'}{', your choice' if e.letter in chosen else ''}: "
            f"{e.text}"
            for e in every
        ]
        note = changed_note(q)
        what = "your answer is right" + (f" ({', '.join(chosen)})" if q.multiple else "")
        return QuizResult(
            True,
            f"{q.label}: {what}. What each option means:",
            lines + ([f"Changed from the original course: {note}"] if note else []),
        )
    lines = [f"({e.letter}) {e.text}" for e in every if e.letter in chosen]
    if q.multiple:
        what = "not the right set yet: a right option is missing, or one you chose is wrong"
    else:
        what = "not this one"
    return QuizResult(False, f"{q.label}: {what}. What you chose means:", lines)


def check_quiz(qid: str, answer: object) -> None:
    """The self-check cell: print [PASSED] or [NOT YET] with the explanations; never raises."""
    try:
        verdict = str(result(qid, answer))
    except Exception as error:  # noqa: BLE001 - a self-check never stops the notebook
        verdict = f"[NOT YET] could not check {qid!r}: {type(error).__name__}: {error}"
    print(verdict)


def tally(chapter_number: int, namespace: dict) -> None:
    """Print how many of a chapter's answers (read from `namespace`, e.g. globals()) are right so far."""
    from course.quiz.bank import chapter

    right, missing, not_yet = 0, [], []
    for q in chapter(chapter_number):
        if q.variable not in namespace:
            missing.append(q.variable)
        elif result(q.id, namespace[q.variable]).passed:
            right += 1
        else:
            not_yet.append(q.variable)
    total = len(chapter(chapter_number))
    print(
        f"{right} of {total} answers right"
        + (f"; not yet: {', '.join(not_yet)}" if not_yet else "")
        + (f"; not defined: {', '.join(missing)}" if missing else "")
    )
