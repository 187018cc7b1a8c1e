"""Issue #14, notebook 04 (Handling multiple sequences): plausible wrong answers to every exercise, each
the full source of the solution cell, fail both the self-check and the graded test cells; the solution
passes both.

The wrong answers are the mistakes the checks' messages name: no batch dimension or the wrong one,
lists or floats instead of long tensors, a hard-coded pad id, padding on the left, a mask of ones, the
input lists changed in place, the tokenizer's padding with the notebook's tokenizer, no attention mask,
every hidden layer or the first one, the notebook's global model or tokenizer instead of the one given,
no truncation, truncation by slicing, lists instead of tensors.
"""

from __future__ import annotations

import pytest
from exercise_harness import define, exercise_tests

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

NAME = "chapter2/04_multiple_sequences.ipynb"

as_batch = define("as_batch", "ids")
pad_batch = define("pad_batch", "sequences, pad_token_id")


PAD_HEAD = "    longest = max(len(seq) for seq in sequences)\n"
RIGHT_MASK = "    mask = [[1] * len(seq) + [0] * (longest - len(seq)) for seq in sequences]\n"
RIGHT_ROWS = "    ids = [list(seq) + [pad_token_id] * (longest - len(seq)) for seq in sequences]\n"
LEFT_ROWS = "    ids = [[pad_token_id] * (longest - len(seq)) + list(seq) for seq in sequences]\n"


def masked(body: str, signature: str = "model, sequences, pad_token_id") -> str:
    return f"def masked_forward({signature}):\n    longest = max(len(seq) for seq in sequences)\n{body}"


RIGHT_IDS = "    ids = torch.tensor([list(s) + [pad_token_id] * (longest - len(s)) for s in sequences])\n"
RIGHT_MASK_T = "    mask = torch.tensor([[1] * len(s) + [0] * (longest - len(s)) for s in sequences])\n"


def run(call: str, returned: str = "out.logits, out.hidden_states[-1]") -> str:
    return f"    with torch.no_grad():\n        out = {call}\n    return {returned}\n"


truncated = define("encode_truncated", "texts, tokenizer, max_length")


ANSWERS = {
    "ex1_batch_dim_solution": [
        ("no batch dimension", as_batch("return torch.tensor(ids)")),
        ("batch dimension last", as_batch("return torch.tensor(ids).unsqueeze(1)")),
        ("a list, not a tensor", as_batch("return [ids]")),
        ("float ids", as_batch("return torch.tensor([ids], dtype=torch.float)")),
        ("the notebook's batch, not the ids given", as_batch("return batched")),
    ],
    "ex2_pad_batch_solution": [
        (
            "hard-coded pad id 0",
            pad_batch(
                PAD_HEAD + "    ids = [list(seq) + [0] * (longest - len(seq)) for seq in sequences]\n"
                "" + RIGHT_MASK + "    return torch.tensor(ids), torch.tensor(mask)\n"
            ),
        ),
        (
            "padded on the left",
            pad_batch(
                PAD_HEAD
                + LEFT_ROWS
                + "    mask = [[0] * (longest - len(seq)) + [1] * len(seq) for seq in sequences]\n"
                "    return torch.tensor(ids), torch.tensor(mask)\n"
            ),
        ),
        (
            "a mask of ones",
            pad_batch(
                PAD_HEAD
                + RIGHT_ROWS
                + "    return torch.tensor(ids), torch.ones(len(ids), longest, dtype=torch.long)\n"
            ),
        ),
        (
            "the input lists changed in place",
            pad_batch(
                PAD_HEAD + RIGHT_MASK + "    for seq in sequences:\n"
                "        seq += [pad_token_id] * (longest - len(seq))\n"
                "    return torch.tensor(sequences), torch.tensor(mask)\n"
            ),
        ),
        (
            "the notebook tokenizer's pad()",
            pad_batch(
                '    batch = tokenizer.pad({"input_ids": sequences}, return_tensors="pt")\n'
                '    return batch["input_ids"], batch["attention_mask"]\n'
            ),
        ),
        (
            "lists, not tensors",
            pad_batch(PAD_HEAD + RIGHT_ROWS + RIGHT_MASK + "    return ids, mask\n"),
        ),
    ],
    "ex3_masked_batch_solution": [
        ("no attention mask", masked(RIGHT_IDS + run("model(ids, output_hidden_states=True)"))),
        (
            "every hidden layer",
            masked(
                RIGHT_IDS
                + RIGHT_MASK_T
                + run(
                    "model(ids, attention_mask=mask, output_hidden_states=True)",
                    "out.logits, out.hidden_states",
                )
            ),
        ),
        (
            "the first hidden layer",
            masked(
                RIGHT_IDS
                + RIGHT_MASK_T
                + run(
                    "model(ids, attention_mask=mask, output_hidden_states=True)",
                    "out.logits, out.hidden_states[0]",
                )
            ),
        ),
        (
            "the notebook's global model",
            masked(
                RIGHT_IDS + RIGHT_MASK_T + run("model(ids, attention_mask=mask, output_hidden_states=True)"),
                signature="given_model, sequences, pad_token_id",
            ),
        ),
        (
            "padded on the left",
            masked(
                "    ids = torch.tensor([[pad_token_id] * (longest - len(s)) + list(s) for s in sequences])\n"
                "    mask = torch.tensor([[0] * (longest - len(s)) + [1] * len(s) for s in sequences])\n"
                + run("model(ids, attention_mask=mask, output_hidden_states=True)")
            ),
        ),
        (
            "a mask of ones",
            masked(
                RIGHT_IDS + run("model(ids, attention_mask=torch.ones_like(ids), output_hidden_states=True)")
            ),
        ),
    ],
    "ex4_truncate_solution": [
        ("no truncation", truncated('return tokenizer(texts, padding=True, return_tensors="pt")')),
        (
            "truncation without max_length",
            truncated('return tokenizer(texts, padding=True, truncation=True, return_tensors="pt")'),
        ),
        (
            "cut by slicing",
            truncated(
                'batch = tokenizer(texts, padding=True, return_tensors="pt")\n'
                "    return {key: value[:, :max_length] for key, value in batch.items()}"
            ),
        ),
        (
            "lists, not tensors",
            truncated("return tokenizer(texts, padding=True, truncation=True, max_length=max_length)"),
        ),
        (
            "the notebook's global tokenizer",
            truncated(
                "return tokenizer(texts, padding=True, truncation=True, max_length=max_length, "
                'return_tensors="pt")',
                params="texts, given_tokenizer, max_length",
            ),
        ),
    ],
}


exercises, test_wrong_answers_fail_both_the_self_check_and_the_tests, test_the_untouched_student_notebook = (
    exercise_tests(NAME, ANSWERS)
)


def test_the_global_model_and_tokenizer_are_named(exercises):
    model = exercises["ex3_masked_batch_solution"].answer("global")
    assert "not the `model` argument" in model.self_check, model
    tokenizer = exercises["ex4_truncate_solution"].answer("global")
    assert "ignores the tokenizer it is given" in tokenizer.self_check, tokenizer
