"""Issue #14, notebook 02 (Models): plausible wrong answers to every exercise, each the full source of the
solution cell, fail both the self-check and the graded test cells; the solution passes both.

The wrong answers are the mistakes the checks' messages name: pretrained weights (from_pretrained with
fewer layers), BertConfig()'s defaults, hard-coded layer and head counts, the notebook's `config` instead of
the checkpoint given, a head; no label2id, no labels at all, hard-coded emotions, a random body
(from_config), labels set after loading, no head; the model given returned as it is (the reviewer's
`reloaded = trained`), a copy, the original checkpoint reloaded, the notebook's `trained` saved instead
of the model given, no tokenizer saved, the bare class; the ids as a list, as floats, flattened, as NumPy,
squeezed, as int32. Each exercise is also fed the untouched stub (`raise NotImplementedError()`), and the
released student notebook runs to the end with only its graded test cells failing.
"""

from __future__ import annotations

import pytest
from exercise_harness import define, exercise_tests, unanswered

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

NAME = "chapter2/02_models.ipynb"

small_bert = define("small_bert", "checkpoint, num_layers, num_heads")


EDITED = "AutoConfig.from_pretrained(checkpoint, num_hidden_layers=num_layers, num_attention_heads=num_heads)"


def with_labels(options: str, loader: str = "AutoModelForSequenceClassification.from_pretrained") -> str:
    return f"def with_labels(checkpoint, labels):\n    return {loader}(checkpoint, {options})\n"


MAPS = "id2label=dict(enumerate(labels)), label2id={label: i for i, label in enumerate(labels)}"


save_and_reload = define("save_and_reload", "model, tokenizer, folder")


SAVE = "    model.save_pretrained(folder)\n    tokenizer.save_pretrained(folder)\n"
RELOAD = "AutoModelForSequenceClassification.from_pretrained"


def to_model_inputs(body: str) -> str:
    return f"def to_model_inputs(encoded_sequences):\n    return {body}\n"


ANSWERS = {
    "ex1_config_solution": [
        (
            "pretrained weights",
            small_bert(
                "    return BertModel.from_pretrained(\n"
                "        checkpoint, num_hidden_layers=num_layers, num_attention_heads=num_heads\n    )\n"
            ),
        ),
        (
            "BertConfig()'s defaults",
            small_bert(
                "    defaults = BertConfig(num_hidden_layers=num_layers, num_attention_heads=num_heads)\n"
                "    return BertModel(defaults)\n"
            ),
        ),
        (
            "2 layers and 4 heads hard-coded",
            small_bert(
                "    fixed = AutoConfig.from_pretrained(\n"
                "        checkpoint, num_hidden_layers=2, num_attention_heads=4\n    )\n"
                "    return BertModel(fixed)\n"
            ),
        ),
        (
            "the notebook's config, not the checkpoint given",
            small_bert(
                "    import copy\n"
                "    edited = copy.deepcopy(config)\n"
                "    edited.num_hidden_layers, edited.num_attention_heads = num_layers, num_heads\n"
                "    return BertModel(edited)\n"
            ),
        ),
        (
            "a model with a head",
            small_bert(f"    return AutoModelForSequenceClassification.from_config({EDITED})\n"),
        ),
        unanswered("small_bert(checkpoint, num_layers, num_heads)"),
    ],
    "ex2_head_solution": [
        ("no label2id", with_labels("num_labels=len(labels), id2label=dict(enumerate(labels))")),
        ("no label names", with_labels("num_labels=len(labels)")),
        (
            "the six emotions hard-coded",
            "EMOTIONS = ['sadness', 'joy', 'love', 'anger', 'fear', 'surprise']\n\n\n"
            + with_labels("num_labels=6, " + MAPS.replace("labels", "EMOTIONS")),
        ),
        (
            "a random body (from_config)",
            "def with_labels(checkpoint, labels):\n"
            f"    config = AutoConfig.from_pretrained(checkpoint, num_labels=len(labels), {MAPS})\n"
            "    return AutoModelForSequenceClassification.from_config(config)\n",
        ),
        (
            "labels set after loading",
            "def with_labels(checkpoint, labels):\n"
            f"    model = {RELOAD}(checkpoint)\n"
            "    model.config.id2label = dict(enumerate(labels))\n"
            "    model.config.label2id = {label: i for i, label in enumerate(labels)}\n"
            "    return model\n",
        ),
        ("no head", with_labels(f"num_labels=len(labels), {MAPS}", loader="AutoModel.from_pretrained")),
        unanswered("with_labels(checkpoint, labels)"),
    ],
    "ex3_round_trip_solution": [
        ("the model given, returned as it is", save_and_reload(SAVE + "    return model\n")),
        (
            "a copy of the model given",
            save_and_reload(SAVE + "    import copy\n    return copy.deepcopy(model)\n"),
        ),
        (
            "the original checkpoint reloaded",
            save_and_reload(
                SAVE + f'    return {RELOAD}("distilbert-base-uncased-finetuned-sst-2-english")\n'
            ),
        ),
        (
            "the notebook's trained saved, not the model given",
            save_and_reload(
                "    trained.save_pretrained(folder)\n    tokenizer.save_pretrained(folder)\n"
                f"    return {RELOAD}(folder)\n"
            ),
        ),
        (
            "no tokenizer saved",
            save_and_reload(f"    model.save_pretrained(folder)\n    return {RELOAD}(folder)\n"),
        ),
        ("the bare class", save_and_reload(SAVE + "    return AutoModel.from_pretrained(folder)\n")),
        unanswered("save_and_reload(model, tokenizer, folder)"),
    ],
    "ex4_ids_solution": [
        ("the list itself", to_model_inputs("encoded_sequences")),
        ("float ids", to_model_inputs("torch.tensor(encoded_sequences, dtype=torch.float)")),
        ("flattened", to_model_inputs("torch.tensor(encoded_sequences).flatten()")),
        ("a NumPy array", "import numpy as np\n\n\n" + to_model_inputs("np.array(encoded_sequences)")),
        ("squeezed", to_model_inputs("torch.tensor(encoded_sequences).squeeze()")),
        ("int32 ids", to_model_inputs("torch.tensor(encoded_sequences, dtype=torch.int32)")),
        unanswered("to_model_inputs(encoded_sequences)"),
    ],
}


def said(attempt) -> str:
    """What the self-check printed, its lines joined (messages wrap at 80 columns in the notebook)."""
    return " ".join(attempt.self_check.split())


exercises, test_wrong_answers_fail_both_the_self_check_and_the_tests, test_the_untouched_student_notebook = (
    exercise_tests(NAME, ANSWERS)
)


def test_the_reviewers_answer_is_named(exercises):
    same = exercises["ex3_round_trip_solution"].answer("as it is")
    assert "you returned the model you were given" in said(same), same
    original = exercises["ex3_round_trip_solution"].answer("checkpoint")
    assert "not loaded from the folder" in said(original), original
