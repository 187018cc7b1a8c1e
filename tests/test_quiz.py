"""The section quizzes (#19 part 3): the bank, the self-check against the grade, and the two quiz notebooks.

- the bank: every question has options, an explanation per option and a right answer, and fits its notebook;
- the self-check is exactly as strict as the grade: over every possible answer to every question (each letter,
  each set of letters, and the malformed forms a learner writes) the self-check passes exactly when the
  grader's verdict, with the expected values the real grader took from the solution notebook, does;
- wrong answers (each wrong option, empty, malformed, a superset of a multiple-choice answer) fail both;
- the student notebooks and the package hold no right answer in plain text;
- through the real grader: the solutions score full marks, the untouched student notebooks 0, and a
  submission answering every question wrongly 0.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import nbformat
import pytest

from course.grading.probe import MIME, payload
from course.grading.verdict import problems_of
from course.quiz import check_quiz, normalize, question, result
from course.quiz.bank import CHAPTERS, answer_hash, changed_note, chapter, explanations

REPO = Path(__file__).resolve().parent.parent
QUIZZES = {
    2: ("chapter2", "12_chapter2_quiz"),
    3: ("chapter3", "13_chapter3_quiz"),
}
ALL = [q for number in CHAPTERS for q in chapter(number)]


def _solution(number: int):
    folder, name = QUIZZES[number]
    return nbformat.read(REPO / "solutions" / folder / f"{name}.ipynb", as_version=4)


def _student_path(number: int) -> Path:
    folder, name = QUIZZES[number]
    return REPO / "notebooks" / folder / f"{name}.ipynb"


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _graded_ids(notebook) -> list[str]:
    return [_meta(c)["grade_id"] for c in notebook.cells if c.cell_type == "code" and _meta(c).get("grade")]


def _solution_answers() -> dict[str, object]:
    """qid -> the solution notebook's answer (its answer cell run on its own)."""
    answers = {}
    for number in CHAPTERS:
        for cell in _solution(number).cells:
            grade_id = _meta(cell).get("grade_id", "")
            if _meta(cell).get("solution") and grade_id.startswith("answer_"):
                qid = grade_id.removeprefix("answer_")
                namespace: dict = {}
                exec(cell.source, namespace)  # noqa: S102 - the instructor's own cell: one assignment
                answers[qid] = namespace[question(qid).variable]
    return answers


ANSWERS = _solution_answers()
# What the grader expects of each graded cell: the probe the solution's hidden test emits (the grading test
# below proves that the real grader, running the solution notebooks, takes exactly these values).
EXPECTED = {
    f"quiz_{qid}": {
        "answer": {"value": payload("answer", normalize(qid, a))["value"], "tol": 0.0, "hint": ""}
    }
    for qid, a in ANSWERS.items()
}


# --- the bank ----------------------------------------------------------------------------------------


def test_every_question_has_options_explanations_and_a_right_answer():
    assert len(ALL) == 33 and len({q.id for q in ALL}) == 33 and len({q.variable for q in ALL}) == 33
    for q in ALL:
        every = explanations(q)
        assert len(q.options) >= 2 and len(every) == len(q.options) == len(q.sealed), q.id
        assert all(e.text.strip() and e.option.strip() for e in every), q.id
        right = [e.letter for e in every if e.right]
        assert right, f"{q.id}: no right option"
        assert q.multiple or len(right) == 1, f"{q.id}: a one-answer question with {len(right)} right options"
        assert answer_hash(q.salt, q.id, ",".join(right)) == q.right, (
            f"{q.id}: hash and sealed flags disagree"
        )
        assert q.question.strip() and q.label


def test_the_sections_of_todays_course_are_all_there():
    counts = {}
    for q in ALL:
        counts[q.section] = counts.get(q.section, 0) + 1
    assert counts == {"2.9": 10, "3.2": 5, "3.3": 6, "3.4": 7, "3.5": 5}
    assert [q.number for q in chapter(2)] == list(range(1, 11))
    assert sum(bool(q.multiple) for q in ALL) == 3  # 2.9 questions 3, 6 and 7 have several right options
    assert sum(bool(changed_note(q)) for q in ALL) >= 5  # rewritten for today's libraries, each says how


def test_bank_ids_match_the_notebooks_graded_cells():
    graded = [grade_id for number in CHAPTERS for grade_id in _graded_ids(_solution(number))]
    quiz_cells = [g for g in graded if g.startswith("quiz_")]
    assert len(quiz_cells) >= 30 and len(set(quiz_cells)) == len(quiz_cells)
    assert {g.removeprefix("quiz_") for g in quiz_cells} == {q.id for q in ALL}
    assert set(ANSWERS) == {q.id for q in ALL}
    for number in CHAPTERS:  # in the bank's order, one point each
        cells = [c for c in _solution(number).cells if _meta(c).get("grade")]
        assert [_meta(c)["grade_id"] for c in cells] == [f"quiz_{q.id}" for q in chapter(number)]
        assert all(_meta(c)["points"] == 1 for c in cells)


def test_the_solutions_answers_pass_the_self_check():
    for qid, answer in ANSWERS.items():
        verdict = result(qid, answer)
        assert verdict.passed, f"{qid}: {verdict}"
        # once right, every option is explained, the wrong ones included
        assert len(verdict.lines) >= len(question(qid).options)


# --- the self-check against the grade --------------------------------------------------------------------


def _candidates(qid: str) -> list:
    """Every answer worth trying: each letter, each set of letters, and the malformed forms learners write."""
    q = question(qid)
    letters = list(q.letters)
    subsets = [set(c) for n in range(len(letters) + 1) for c in itertools.combinations(letters, n)]
    malformed = [
        None,
        "",
        " ",
        "z",
        "ab",
        "a,b",
        "(a)",
        "a)",
        "A",
        " a",
        "a ",
        ["a"],
        ("a",),
        1,
        0.5,
        True,
        {"A"},
        {"a)"},
        {1},
        ["a", "b"],
        frozenset(),
        {"z"},
        object(),
        b"a",
        {"a": 1},
    ]
    return [
        *letters,
        *subsets,
        *(frozenset(s) for s in subsets if s),
        *malformed,
        *(s.upper() for s in letters),
        *(f"{s})" for s in letters),
        *([s] for s in letters),
    ]


def _graded_pass(qid: str, answer: object, want: dict) -> bool:
    """The grader's verdict on the graded cell of `qid` when the learner's answer is `answer`: the probe its
    hidden test emits, judged by course.grading.verdict against the solution's expected values."""
    cell = nbformat.v4.new_code_cell(
        outputs=[
            nbformat.v4.new_output("display_data", data={MIME: payload("answer", normalize(qid, answer))})
        ]
    )
    return problems_of(cell, want) == []


def test_self_check_is_exactly_as_strict_as_the_grade():
    tried = 0
    for q in ALL:
        want = EXPECTED[f"quiz_{q.id}"]
        for answer in _candidates(q.id):
            check, grade = result(q.id, answer).passed, _graded_pass(q.id, answer, want)
            assert check == grade, f"{q.id}: {answer!r} passes the self-check {check} but the grade {grade}"
            tried += 1
        assert _graded_pass(q.id, ANSWERS[q.id], want)
    print(f"\n{tried} answers to {len(ALL)} questions: self-check and grade agree on every one")


def _wrong_answers(qid: str) -> dict[str, object]:
    """label -> a wrong answer: each wrong option, empty, malformed; multiple choice: supersets, subsets."""
    q, right = question(qid), ANSWERS[qid]
    wrong: dict[str, object] = {"empty": set() if q.multiple else "", "unanswered": None}
    if q.multiple:
        for letter in q.letters:
            if letter not in right:
                wrong[f"superset +{letter}"] = right | {letter}
                wrong[f"only {letter}"] = {letter}
        for letter in right:
            wrong[f"without {letter}"] = right - {letter}
        wrong["a list"] = sorted(right)
        wrong["upper case"] = {letter.upper() for letter in right}
        wrong["a string"] = ",".join(sorted(right))
    else:
        wrong.update({f"option {letter}": letter for letter in q.letters if letter != right})
        wrong.update(
            {"upper case": right.upper(), "with a bracket": f"{right})", "a list": [right], "a set": {right}}
        )
    return wrong


def test_wrong_answers_fail_both_the_self_check_and_the_grade(capsys):
    fed = 0
    for q in ALL:
        for label, answer in _wrong_answers(q.id).items():
            verdict = result(q.id, answer)
            assert not verdict.passed, f"{q.id} {label}: passes the self-check"
            assert not _graded_pass(q.id, answer, EXPECTED[f"quiz_{q.id}"]), (
                f"{q.id} {label}: passes the grade"
            )
            check_quiz(q.id, answer)
            printed = capsys.readouterr().out
            assert printed.startswith("[NOT YET]"), f"{q.id} {label}: {printed!r}"
            fed += 1
    assert fed >= 5 * len(ALL)


def test_malformed_answers_get_a_message_that_says_how_to_write_them(capsys):
    cases = [
        ("ch2_q1", "B", 'write just "b"'),
        ("ch2_q1", "b)", 'write just "b"'),
        ("ch2_q1", ["b"], "not a list"),
        ("ch2_q1", None, "not answered yet"),
        ("ch2_q1", "e", "there is no option 'e'"),
        ("ch2_q3", ["a"], "in braces, as a set"),
        ("ch2_q3", "a", "answer with a set"),
        ("ch2_q3", {"A", "b"}, '"a" rather than'),
        ("ch2_q3", set(), "not answered yet"),
    ]
    for qid, answer, message in cases:
        verdict = result(qid, answer)
        assert not verdict.passed and message in verdict.message, (qid, answer, verdict.message)
        assert not verdict.lines  # no explanation is given away for an answer that is not one
    for hostile in [
        type("S", (str,), {"__eq__": lambda s, o: True, "__hash__": str.__hash__})("b"),
        type("L", (set,), {})({"a"}),
        list(range(100_000)),
        "b" * 10_000,
    ]:
        for qid in ("ch2_q1", "ch2_q3"):
            assert normalize(qid, hostile) is None
            check_quiz(qid, hostile)
            assert capsys.readouterr().out.startswith("[NOT YET]")
    check_quiz("no_such_question", "a")
    assert capsys.readouterr().out.startswith("[NOT YET] could not check")


def test_the_widget_checks_like_the_self_check():
    pytest.importorskip("ipywidgets")
    import course

    widget = course.quiz.widget

    for q in ALL:
        box = widget(q.id)
        picker = box.children[1]
        right = ANSWERS[q.id]
        if q.multiple:
            for letter, checkbox in zip(q.letters, picker.children):
                checkbox.value = letter in right
        else:
            picker.value = right
        box.check()
        shown = box.children[3].value
        assert "[PASSED]" in shown and f"<code>{q.variable} = " in shown, q.id
        if q.multiple:
            picker.children[0].value = not picker.children[0].value
        else:
            picker.value = next(letter for letter in q.letters if letter != right)
        box.check()
        assert "[NOT YET]" in box.children[3].value, q.id
    assert course.quiz.widget is widget and course.check_quiz is check_quiz  # no submodule shadows them


# --- no right answer in plain text ---------------------------------------------------------------------


def _texts(q) -> list[str]:
    return [e.text for e in explanations(q)] + ([changed_note(q)] if changed_note(q) else [])


def test_students_and_the_package_hold_no_answer_in_plain_text():
    package = "\n".join(p.read_text() for p in sorted((REPO / "course" / "quiz").glob("*.py")))
    assert "quiz_source" in package  # the generated bank says where it comes from, and holds only that
    for number in CHAPTERS:
        path = _student_path(number)
        assert path.exists(), f"run `course release`: {path} is missing"
        text = path.read_text()
        student = nbformat.reads(text, as_version=4)
        assert not [c for c in student.cells if c.cell_type == "code" and c.get("outputs")], "outputs kept"
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
        assigned = re.findall(r"(answer_\w+) = ([^\n\\]+)", "\n".join(c.source for c in student.cells))
        assert assigned and all(value == "None" for _, value in assigned), assigned
        for q in chapter(number):
            for explanation in _texts(q):
                snippet = explanation[:60]
                assert snippet not in text, f"{q.id}: an explanation is in the student notebook"
                assert snippet not in package, f"{q.id}: an explanation is in the package in plain text"
    assert '"right": True' not in package and "'right': True" not in package


# --- through the real grader ---------------------------------------------------------------------------


def _literal(answer: object) -> str:
    if isinstance(answer, set):
        return "{" + ", ".join(repr(a) for a in sorted(answer)) + "}" if answer else "set()"
    return repr(answer)


def _all_wrong(number: int):
    """The solution notebook with every answer replaced by a wrong one (the kinds in turn)."""
    notebook = _solution(number)
    index = 0
    for cell in notebook.cells:
        grade_id = _meta(cell).get("grade_id", "")
        if _meta(cell).get("solution") and grade_id.startswith("answer_"):
            qid = grade_id.removeprefix("answer_")
            wrong = list(_wrong_answers(qid).values())
            cell.source = f"{question(qid).variable} = {_literal(wrong[index % len(wrong)])}"
            index += 1
    return notebook


@pytest.fixture(scope="module")
def grading_run(tmp_path_factory):
    """One grading batch: both solutions, both untouched student notebooks, both answered all wrong.

    The course directory holds the two quiz notebooks only (the grader runs nothing else)."""
    import shutil

    from course.grading.grade import grade
    from course.grading.release import build_release

    source = tmp_path_factory.mktemp("course") / "solutions"
    for folder, name in QUIZZES.values():
        (source / folder).mkdir(parents=True)
        shutil.copy(REPO / "solutions" / folder / f"{name}.ipynb", source / folder)
    released = build_release(source, tmp_path_factory.mktemp("release"))
    root = tmp_path_factory.mktemp("submitted")
    for number, (folder, name) in QUIZZES.items():
        for student, notebook in [
            ("solution", _solution(number)),
            ("untouched", nbformat.read(released / folder / f"{name}.ipynb", as_version=4)),
            ("all_wrong", _all_wrong(number)),
        ]:
            target = root / student / folder
            target.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, target / f"{name}.ipynb")
    out = tmp_path_factory.mktemp("graded")
    run = grade(root, out, jobs=2, progress=False, source_root=source)
    expected = {}
    for path in out.rglob("expected/*/*_quiz.json"):
        expected.update(json.loads(path.read_text()))
    return run, expected


def _outcomes(run, student: str) -> list:
    return [
        o for o in run.outcomes if o.submission.student == student and o.submission.notebook.endswith("_quiz")
    ]


@pytest.mark.grading
def test_solutions_score_full_marks_and_untouched_or_wrong_score_zero(grading_run):
    run, expected = grading_run
    # the grader took every quiz cell's expected value from the solutions: the values the tests above use
    assert {k: {"answer": {**v["answer"], "hint": ""}} for k, v in expected.items()} == EXPECTED
    for student, score in [("solution", "full"), ("untouched", 0), ("all_wrong", 0)]:
        outcomes = _outcomes(run, student)
        assert len(outcomes) == 2, [o.submission.key for o in run.outcomes]
        for o in outcomes:
            assert o.status == "graded" and o.max_score == len(
                chapter(2 if "chapter2" in o.submission.notebook else 3)
            ), (o.submission.key, o.problems)
            want = o.max_score if score == "full" else 0
            assert o.score == want, f"{student} {o.submission.notebook}: {o.score}/{o.max_score} {o.tests}"
    print(
        "\n"
        + "\n".join(
            f"{o.submission.student:10s} {o.submission.notebook}: {o.score:g}/{o.max_score:g} "
            f"in {o.seconds:.1f} s"
            for o in run.outcomes
        )
    )


# --- the facts of today's libraries that the rewritten questions rest on ------------------------------


def test_the_library_facts_behind_the_rewritten_questions(tmp_path):
    """If an upgrade changes one of these, the question (tools/quiz_source.py) needs rewriting again."""
    import inspect
    import warnings

    import torch
    import transformers
    from datasets import Dataset
    from transformers import (
        AutoTokenizer,
        BertConfig,
        BertForSequenceClassification,
        DataCollatorWithPadding,
        Trainer,
        TrainingArguments,
    )

    # 3.3 question 2: eval_strategy; the old evaluation_strategy is refused; do_eval still exists
    with pytest.raises(TypeError, match="evaluation_strategy"):
        TrainingArguments(str(tmp_path), evaluation_strategy="epoch")
    with pytest.raises(TypeError, match="eval_frequency"):
        TrainingArguments(str(tmp_path), eval_frequency=1)
    params = inspect.signature(TrainingArguments).parameters
    assert "do_eval" in params and params["eval_strategy"].default == "no"
    assert (
        params["max_grad_norm"].default == 1.0 and params["remove_unused_columns"].default is True
    )  # 3.3 q6
    # 3.3 question 1: processing_class, no tokenizer=; without a collator the Trainer pads with it
    assert "tokenizer" not in inspect.signature(Trainer).parameters
    tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
    assert tokenizer.tokenize("Hello!") == ["hello", "!"]  # 2.9 question 9
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
    )
    model = BertForSequenceClassification(config)
    data = Dataset.from_dict({"sentence": ["a b", "c d e"], "label": [0, 1]}).map(
        lambda batch: tokenizer(batch["sentence"]), batched=True
    )
    args = TrainingArguments(str(tmp_path), report_to="none", use_cpu=True)
    trainer = Trainer(model=model, args=args, train_dataset=data, processing_class=tokenizer)
    assert isinstance(trainer.data_collator, DataCollatorWithPadding)
    # 3.3 question 5: no eval_dataset is fine by default, refused at once with eval_strategy="epoch"
    with pytest.raises(ValueError, match="eval_dataset"):
        epochs = TrainingArguments(str(tmp_path), report_to="none", use_cpu=True, eval_strategy="epoch")
        Trainer(model=model, args=epochs, train_dataset=data, processing_class=tokenizer)
    # 3.2 question 5: the collator fails on a text column; the model ignores keyword arguments it does not use
    collator = DataCollatorWithPadding(tokenizer)
    with pytest.raises(ValueError, match="create tensor"):
        collator([data[0], data[1]])
    batch = collator([{k: data[i][k] for k in ("input_ids", "attention_mask", "label")} for i in range(2)])
    assert model(**batch, idx=torch.tensor([0, 1])).loss is not None
    # 3.5 question 4: EarlyStoppingCallback needs metric_for_best_model (load_best_model_at_end: a warning)
    from transformers import EarlyStoppingCallback

    stopping = TrainingArguments(str(tmp_path), report_to="none", use_cpu=True, eval_strategy="epoch")
    with pytest.raises(AssertionError, match="metric_for_best_model"):
        EarlyStoppingCallback(1).on_train_begin(stopping, None, None)
    # 3.4 question 1: AdamW is torch's; its defaults
    assert not hasattr(transformers, "AdamW")
    adamw = inspect.signature(torch.optim.AdamW).parameters
    assert adamw["weight_decay"].default == 0.01 and adamw["eps"].default == 1e-8
    # 3.4 question 2: a scheduler stepped before the optimizer: PyTorch warns
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scheduler.step()
    assert any("before `optimizer.step()`" in str(w.message) for w in caught)


def test_the_tally_counts_right_answers(capsys):
    from course.quiz import tally

    names = {question(qid).variable: answer for qid, answer in ANSWERS.items()}
    tally(2, names)
    assert capsys.readouterr().out.strip() == "10 of 10 answers right"
    tally(3, {**names, "answer_2_1": "B", "answer_4_2": None})
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("21 of 23 answers right; not yet: answer_2_1, answer_4_2"), printed
    tally(2, {})
    assert "0 of 10 answers right; not defined: answer_1," in capsys.readouterr().out
