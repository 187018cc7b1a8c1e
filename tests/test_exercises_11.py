"""11_learning_curves: plausible wrong answers fail both the self-check and the graded tests (#19 part 4).

The notebook runs once (module fixture); at each exercise every wrong answer below replaces the solution
cell, followed by the exercise's self-check and graded test cells (tests/exercise_harness.py). The
notebook's own cells assert that each of its four training runs shows its pattern (healthy, overfitting,
underfitting, erratic), so the fixture fails if one stops doing so; `test_each_run_shows_its_pattern`
reads the runs' logs out of a kernel and checks the patterns here, with the numbers behind them.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from exercise_harness import REPO, define, exercise_tests, unanswered

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

NAME = "chapter3/11_learning_curves.ipynb"

_series = define("loss_series", "log_history")
_diagnose = define("diagnose", "log_history")
_setup = define("early_stopping_setup", "output_dir, eval_steps, patience, **settings")


def _series_body(
    train_test: str, train_value: str, eval_test: str = '"eval_loss" in entry', x: str = "step"
) -> str:
    return (
        '    series = {"train": ([], []), "eval": ([], [])}\n'
        "    for entry in log_history:\n"
        f"        if {train_test}:\n"
        f'            series["train"][0].append(entry["{x}"])\n'
        f'            series["train"][1].append({train_value})\n'
        f"        if {eval_test}:\n"
        f'            series["eval"][0].append(entry["{x}"])\n'
        '            series["eval"][1].append(entry["eval_loss"])\n'
        "    return series\n"
    )


RULE_HEAD = (
    "    series = loss_series(log_history)\n"
    '    train, evals = series["train"][1], series["eval"][1]\n'
    "    third = max(1, len(train) // 3)\n"
    "    jumps = max(b - a for a, b in zip(train, train[1:])) > train[0] / 2\n"
    "    flat = sum(train[-third:]) / third >= 0.9 * sum(train[:third]) / third\n"
    "    rose = len(evals) >= 2 and evals[-1] > 1.1 * min(evals)\n"
)


def _rule(order: str) -> str:
    """A diagnose that applies the notebook's three tests in another order / with other tests."""
    return RULE_HEAD + order


SETUP = (
    "    from transformers import EarlyStoppingCallback, TrainingArguments\n\n"
    "    args = TrainingArguments(\n"
    "        output_dir=output_dir, eval_strategy={eval_strategy}, eval_steps=eval_steps,\n"
    "        save_strategy={save_strategy}, save_steps={save_steps}, load_best_model_at_end={load_best},\n"
    "        metric_for_best_model={metric}, greater_is_better={greater}, {settings}\n"
    "    )\n"
    "    return args, EarlyStoppingCallback(early_stopping_patience={patience})\n"
)
RIGHT = {
    "eval_strategy": '"steps"',
    "save_strategy": '"steps"',
    "save_steps": "eval_steps",
    "load_best": "True",
    "metric": '"eval_loss"',
    "greater": "False",
    "settings": "**settings",
    "patience": "patience",
}


def _setup_with(**changes: str) -> str:
    return _setup(SETUP.format(**{**RIGHT, **changes}))


ANSWERS = {
    "curves_series_solution": [
        unanswered("loss_series(log_history)"),
        ("epochs, not steps", _series(_series_body('"loss" in entry', 'entry["loss"]', x="epoch"))),
        (
            "the run's summary kept",
            _series(
                _series_body(
                    '"loss" in entry or "train_loss" in entry', 'entry.get("loss", entry.get("train_loss"))'
                )
            ),
        ),
        (
            "validation losses in the training series",
            _series(
                _series_body(
                    '"loss" in entry or "eval_loss" in entry', 'entry.get("loss", entry.get("eval_loss"))'
                )
            ),
        ),
        (
            "stops at the run's summary (misses trainer.evaluate() after it)",
            _series(
                "    kept = []\n"
                "    for entry in log_history:\n"
                '        if "train_loss" in entry:\n'
                "            break\n"
                "        kept.append(entry)\n"
                '    train = [(e["step"], e["loss"]) for e in kept if "loss" in e]\n'
                '    evals = [(e["step"], e["eval_loss"]) for e in kept if "eval_loss" in e]\n'
                '    return {"train": tuple(map(list, zip(*train))), "eval": tuple(map(list, zip(*evals)))}\n'
            ),
        ),
        (
            "skips the evaluation before training (step 0)",
            _series(
                _series_body(
                    '"loss" in entry', 'entry["loss"]', eval_test='"eval_loss" in entry and entry["step"] > 0'
                )
            ),
        ),
        (
            "the notebook's healthy run, not the argument",
            _series(
                _series_body('"loss" in entry', 'entry["loss"]').replace(
                    "in log_history", "in healthy.state.log_history"
                )
            ),
        ),
        ("the course's own loss_series in place of the work", "from course.viz.curves import loss_series\n"),
    ],
    "curves_diagnose_solution": [
        unanswered("diagnose(log_history)"),
        (
            "compares the first and last points only",
            _diagnose(
                "    series = loss_series(log_history)\n"
                '    train, evals = series["train"][1], series["eval"][1]\n'
                "    if max(b - a for a, b in zip(train, train[1:])) > train[0] / 2:\n"
                '        return "erratic"\n'
                "    if train[-1] >= 0.9 * train[0]:\n"
                '        return "underfitting"\n'
                '    return "overfitting" if evals[-1] > 1.1 * evals[0] else "healthy"\n'
            ),
        ),
        (
            "ignores the validation loss",
            _diagnose(_rule('    return "erratic" if jumps else "underfitting" if flat else "healthy"\n')),
        ),
        (
            "overfitting tested before erratic",
            _diagnose(
                _rule(
                    '    return ("overfitting" if rose else "erratic" if jumps else "underfitting" if flat\n'
                    '            else "healthy")\n'
                )
            ),
        ),
        (
            "any rise of the training loss is erratic",
            _diagnose(
                _rule(
                    "    jumps = any(b > a for a, b in zip(train, train[1:]))\n"
                    '    return ("erratic" if jumps else "underfitting" if flat else "overfitting" if rose\n'
                    '            else "healthy")\n'
                )
            ),
        ),
        (
            "overfitting judged by the validation accuracy",
            _diagnose(
                _rule(
                    '    accuracy = [e["eval_accuracy"] for e in log_history if "eval_accuracy" in e]\n'
                    "    fell = accuracy[-1] < max(accuracy) - 0.02\n"
                    '    return ("erratic" if jumps else "underfitting" if flat else "overfitting" if fell\n'
                    '            else "healthy")\n'
                )
            ),
        ),
        (
            "the gap between the losses at each evaluation's step",
            _diagnose(
                _rule(
                    '    at = dict(zip(*series["train"]))\n'
                    '    gaps = [loss - at[step] for step, loss in zip(*series["eval"])]\n'
                    "    grew = gaps[-1] > gaps[0]\n"
                    '    return ("erratic" if jumps else "underfitting" if flat else "overfitting" if grew\n'
                    '            else "healthy")\n'
                )
            ),
        ),
        ("the course's diagnosis in place of the work", "from course.viz.curves import diagnose\n"),
    ],
    "curves_early_solution": [
        unanswered("early_stopping_setup(output_dir, eval_steps, patience, **settings)"),
        ("the last model kept (load_best_model_at_end=False)", _setup_with(load_best="False")),
        (
            "saves every epoch, evaluates every eval_steps",
            _setup_with(save_strategy='"epoch"', save_steps="500"),
        ),
        ("saves every other evaluation", _setup_with(save_steps="2 * eval_steps")),
        ("the best accuracy, judged as a loss", _setup_with(metric='"eval_accuracy"')),
        ("a higher loss counted as better", _setup_with(greater="True")),
        ("a fixed patience", _setup_with(patience="3")),
        ("the settings dropped", _setup_with(settings="report_to='none'")),
        (
            "the course's reference in place of the work",
            "from course.checks.curves import early_stopping_reference as early_stopping_setup\n",
        ),
    ],
}


exercises, test_wrong_answers_fail_both_the_self_check_and_the_tests, test_the_untouched_student_notebook = (
    exercise_tests(NAME, ANSWERS)
)


# --- each run shows its pattern, read from the runs' own logs ---------------------------------------------

RUNS = ("healthy", "overfitting", "underfitting", "erratic")


def _run_logs() -> tuple[dict[str, list[dict]], float]:
    """Run the solution notebook up to its runs' assertion; return each run's log_history and the baseline."""
    from nbclient import NotebookClient

    path = REPO / "solutions" / NAME
    notebook = nbformat.read(path, as_version=4)
    last = next(i for i, cell in enumerate(notebook.cells) if "verdicts = {name: diagnose(" in cell.source)
    notebook.cells = notebook.cells[:last] + [
        nbformat.v4.new_code_cell(
            "import json\nprint(json.dumps({'baseline': baseline, 'runs': {name: trainer.state.log_history "
            "for name, trainer in runs.items()}}))"
        )
    ]
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    with pytest.MonkeyPatch.context() as patch:  # the kernel inherits fast mode and one thread, as in CI
        patch.setenv("COURSE_FAST", "1")
        patch.setenv("OMP_NUM_THREADS", "1")
        client.execute()
    text = "".join(
        output.get("text", "") for output in notebook.cells[-1].outputs if output.get("name") == "stdout"
    )
    data = json.loads(text)
    return data["runs"], data["baseline"]


def test_each_run_shows_its_pattern():
    from course.checks.curves import curve_facts, diagnose_reference, loss_series_reference

    logs, baseline = _run_logs()
    assert {name: diagnose_reference(logs[name]) for name in RUNS} == {name: name for name in RUNS}
    accuracy = {name: [e["eval_accuracy"] for e in logs[name] if "eval_accuracy" in e] for name in RUNS}
    facts = {name: curve_facts(logs[name]) for name in RUNS}
    # healthy: both losses fall, the validation loss ends within 10 % of its lowest, the accuracy beats the
    # baseline
    healthy = loss_series_reference(logs["healthy"])["eval"][1]
    assert healthy[-1] < healthy[0] and facts["healthy"]["tail"] < 0.9 * facts["healthy"]["head"]
    assert accuracy["healthy"][-1] > baseline + 0.1
    # overfitting: the training loss falls to near zero while the validation loss climbs above its lowest
    assert facts["overfitting"]["last_train"] < 0.1 and facts["overfitting"]["lowest_eval"][0] < 10
    assert facts["overfitting"]["last_eval"][1] > 1.3 * facts["overfitting"]["lowest_eval"][1]
    # underfitting: the training loss stays at its start, the accuracy at (or below) the baseline
    assert facts["underfitting"]["tail"] > 0.97 * facts["underfitting"]["head"]
    assert max(accuracy["underfitting"]) <= baseline + 0.02
    # erratic: the training loss jumps by more than its first value; accuracy ends at the baseline or lower
    assert facts["erratic"]["rise"] > facts["erratic"]["first"]
    assert accuracy["erratic"][-1] <= baseline
