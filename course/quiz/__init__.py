"""Section quizzes of today's course (2/9, 3/2-3/5): instant self-checks, an ipywidgets form, graded answers.

In a notebook:
    course.quiz.widget("ch2_q3")            # options, a Check button, the explanations
    answer_3 = {"a", "d"}                   # the graded answer: a letter, or a set of letters
    course.check_quiz("ch2_q3", answer_3)   # [PASSED] / [NOT YET] and what each chosen option means

The right answers are stored hashed and the explanations sealed (course/quiz/bank.py): not in plain text,
but not secret either; instant feedback also lets a learner try options until one passes. Grading does not
trust the kernel: the graded cell only reports the normalized answer, and the grader compares it with the
solution notebook's (course/grading/probe.py).
"""

from __future__ import annotations

from course.quiz.answers import QuizResult, Reading, check_quiz, normalize, read_answer, result, tally
from course.quiz.bank import Question, chapter, question, questions

__all__ = [
    "QuizResult",
    "Question",
    "Reading",
    "chapter",
    "check_quiz",
    "normalize",
    "question",
    "questions",
    "read_answer",
    "result",
    "tally",
    "widget",
]


def widget(qid: str):
    """The ipywidgets form of question `qid` (ipywidgets is imported only now)."""
    from course.quiz.form import quiz_widget

    return quiz_widget(qid)
