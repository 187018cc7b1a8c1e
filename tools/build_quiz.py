"""Build the quiz bank (course/quiz/chapter2.py, chapter3.py) and quiz notebooks from tools/quiz_source.py.

    python -m tools.build_quiz            # then: course run-notebooks --save <each notebook>, course release

The bank gets each question's salted answer hash and sealed explanations (course/quiz/bank.py), never the
right letters; the solution notebooks get the right letters between BEGIN/END SOLUTION (nbgrader strips
them from the student version).
"""

from __future__ import annotations

import dataclasses
import hashlib
import pprint
import random
import subprocess
import sys
from pathlib import Path

from course.grading.release import Publishing, install_cell
from course.quiz.bank import LETTERS, answer_hash, seal
from tools.notebook_cells import code, md, solution, tests, write
from tools.quiz_source import CHAPTERS, Source

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = {
    2: REPO / "solutions" / "chapter2" / "12_chapter2_quiz.ipynb",
    3: REPO / "solutions" / "chapter3" / "13_chapter3_quiz.ipynb",
}
SECTIONS = {
    "2.9": "End-of-chapter quiz",
    "3.2": "Processing the data",
    "3.3": "Fine-tuning a model with the Trainer API",
    "3.4": "A full training loop",
    "3.5": "Understanding learning curves",
}


def arranged(source: Source) -> Source:
    """The options in a fixed shuffled order (seeded by the question's id), "None of the above" kept last.

    The original course puts the right option second in every question of chapter 3; shuffled, the letter
    of the right answer is no longer a pattern to learn.
    """
    last = [o for o in source.options if o.text.startswith("None of the above")]
    rest = [o for o in source.options if o not in last]
    random.Random(f"course-quiz|{source.id}").shuffle(rest)
    return dataclasses.replace(source, options=tuple(rest + last))


def variable(source: Source) -> str:
    """answer_3 (chapter 2), answer_4_1 (chapter 3, section 3.4, question 1)."""
    if source.section.startswith("2."):
        return f"answer_{source.number}"
    return f"answer_{source.section.split('.')[1]}_{source.number}"


def right_answer(source: Source) -> str:
    """The normalized right answer: "c", or "a,c,d"."""
    return ",".join(letter for letter, option in zip(LETTERS, source.options) if option.right)


def sealed(source: Source) -> dict:
    """The bank's record of one question: no right letter in plain text."""
    salt = hashlib.sha256(f"course-quiz|{source.id}|{source.question}".encode()).hexdigest()[:16]
    record = {
        "id": source.id,
        "chapter": int(source.section.split(".")[0]),
        "section": source.section,
        "number": source.number,
        "variable": variable(source),
        "multiple": source.multiple,
        "question": source.question,
        "code": source.code,
        "options": [option.text for option in source.options],
        "salt": salt,
        "right": answer_hash(salt, source.id, right_answer(source)),
        "sealed": [
            seal({"right": option.right, "text": option.explain}, salt, source.id, letter)
            for letter, option in zip(LETTERS, source.options)
        ],
    }
    if source.changed:
        record["sealed_changed"] = seal(source.changed, salt, source.id, "changed")
    return record


def write_bank(number: int, sources: list[Source]) -> Path:
    path = REPO / "course" / "quiz" / f"chapter{number}.py"
    body = pprint.pformat([sealed(s) for s in sources], width=110, sort_dicts=False)
    header = (
        f'"""Quiz bank of chapter {number}: made by `python -m tools.build_quiz` from the instructor\'s\n'
        "tools/quiz_source.py (do not edit). Right answers are salted hashes and explanations are sealed:\n"
        'see course/quiz/bank.py."""\n\n# ruff: noqa: E501 - generated data (sealed explanations)\n'
    )
    path.write_text(f"{header}\nQUESTIONS = {body}\n")
    return path


def _question_cell(s: Source):
    kind = "Choose **every** right option." if s.multiple else "Choose **one** option."
    snippet = f"\n\n```python\n{s.code}\n```" if s.code else ""
    options = "\n".join(f"- **({letter})** {option.text}" for letter, option in zip(LETTERS, s.options))
    text = f"### {s.section} question {s.number}\n\n{s.question}{snippet}\n\n{options}\n\n*{kind}*"
    return md(text, grade_id=f"question_{s.id}")


def _answer_cell(s: Source):
    name = variable(s)
    right = [letter for letter, option in zip(LETTERS, s.options) if option.right]
    if s.multiple:
        how, value = (
            "the letters of every option you choose, as a set in braces",
            "{" + ", ".join(f'"{letter}"' for letter in right) + "}",
        )
    else:
        how, value = "the letter of the option you choose, in quotes", f'"{right[0]}"'
    return solution(
        f"# {s.section} question {s.number}: {how}\n{name} = None\n### BEGIN SOLUTION\n{name} = {value}\n"
        "### END SOLUTION",
        grade_id=f"answer_{s.id}",
    )


def question_cells(s: Source) -> list:
    """The cells of one question: statement, widget, answer, self-check, graded test."""
    name = variable(s)
    hidden = (
        f"# Graded (1 point): {name}, read exactly as the self-check above reads it.\n"
        "### BEGIN HIDDEN TESTS\n"
        "from course.grading.probe import emit as _emit  # judged by the grader, outside this kernel\n"
        "from course.quiz import normalize as _normalize\n\n"
        f'_emit("answer", _normalize("{s.id}", {name}),\n'
        '      hint="the self-check above reads your answer the same way and explains what you chose")\n'
        "### END HIDDEN TESTS"
    )
    return [
        _question_cell(s),
        code(f'course.quiz.widget("{s.id}")', tags=["nbval-ignore-output"]),
        _answer_cell(s),
        code(f'course.check_quiz("{s.id}", {name})'),
        tests(hidden, grade_id=f"quiz_{s.id}", points=1),
    ]


HOW = """## How to answer

Each question comes in three cells:
1. **The widget**: tick your choice and press *Check*. It tells you at once whether you are right, explains
   each option you chose, and shows the line to write for the grade.
2. **The answer cell**: write your answer there, replacing the two lines that raise `NotImplementedError`.
   One lower-case letter in quotes when the question says *Choose one*; a set of such letters in braces,
   `{"...", "..."}`, when it says *Choose every right option*. Upper case, a letter with a bracket or a
   list are not read as answers (the self-check says how to write them).
3. **The self-check**: `course.check_quiz(...)` reads your answer exactly as the grader will, prints
   `[PASSED]` or `[NOT YET]` and what each option you chose means; once you are right, it explains every
   option, the wrong ones included.

The graded cell after it counts one point per question. A fair warning about instant feedback: with three
to six options you could find the answer by trying them one by one, and a determined learner could open the
sealed explanations in the `course` package. The answers are kept out of plain text, not locked away; the
quiz is there to tell *you* what you have understood."""


def _intro(number: int, sources: list[Source], pip_source: str) -> list:
    changed = [s for s in sources if s.changed]
    names = ", ".join(f"{s.section} question {s.number}" for s in changed)
    if number == 2:
        title = "# Chapter 2 quiz: using \U0001f917 Transformers"
        summary = (
            "The ten questions of the end-of-chapter quiz of chapter 2 (section 2.9 of today's course): the "
            "pipeline's steps, models and their heads, tokenizers, batches, padding and masks."
        )
    else:
        title = "# Chapter 3 quiz: fine-tuning a pretrained model"
        summary = (
            "The section quizzes of chapter 3 of today's course, section by section: processing the data "
            "(3.2), the Trainer API (3.3), a full training loop (3.4) and learning curves (3.5)."
        )
    summary += (
        " Every question of the course is here, in our own words. Where today's libraries (transformers 5, "
        "datasets 5) changed what a question tests, or where the original's explanation does not hold, the "
        f"question is rewritten, and its explanation says what changed ({names})."
    )
    return [
        md(f"{title}\n\n{summary}"),
        md(
            "**First cell.** It installs the `course` package when it is missing (in Colab, or on a fresh "
            "machine); then `course.setup()` reports where you run. The quiz needs no model or data."
        ),
        code(
            install_cell(Publishing.from_pyproject(REPO / "pyproject.toml").pip_source),
            tags=["nbval-ignore-output"],
        ),
        md(HOW),
    ]


def notebook_cells(number: int, sources: list[Source], pip_source: str) -> list:
    cells = _intro(number, sources, pip_source)
    section = None
    for s in sources:
        if number == 3 and s.section != section:
            section = s.section
            cells.append(md(f"## {section}: {SECTIONS[section]}"))
        cells.extend(question_cells(s))
    cells.append(
        md(
            "## Your tally\n\nHow many of your answers the self-check finds right so far (the graded cells "
            "above give the points)."
        )
    )
    cells.append(code(f"course.quiz.tally({number}, globals())"))
    for index, cell in enumerate(cells):  # stable ids: a rebuild changes only what changed
        cell.id = f"cell-{index:03d}"
    return cells


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pip-source", help="the first cell's install source (default: pyproject.toml's)")
    args = parser.parse_args(argv)
    pip_source = args.pip_source or Publishing.from_pyproject(REPO / "pyproject.toml").pip_source
    for number, plain in CHAPTERS.items():
        sources = [arranged(s) for s in plain]
        bank = write_bank(number, sources)
        subprocess.run([sys.executable, "-m", "ruff", "format", "-q", str(bank)], check=True)
        write(NOTEBOOKS[number], notebook_cells(number, sources, pip_source))
        print(
            f"chapter {number}: {len(sources)} questions -> {bank.relative_to(REPO)}, "
            f"{NOTEBOOKS[number].relative_to(REPO)}"
        )


if __name__ == "__main__":
    main()
