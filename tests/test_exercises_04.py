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
from exercise_harness import define, exercise_tests, unanswered

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


logits_twice = define("logits_twice", "ids, model")


def twice(batch: str, returned: str = "output.logits", params: str = "ids, model") -> str:
    body = (
        f"    with torch.no_grad():\n        output = model(torch.tensor({batch}))\n    return {returned}\n"
    )
    return logits_twice(body, params=params)


def padded(
    rows: str = "row + [fill] * (width - len(row))",
    mask: str = "[1] * len(row) + [0] * (width - len(row))",
    call: str = "model(padded, attention_mask=mask)",
    fill: str = "tokenizer.pad_token_id",
    params: str = "sentences, tokenizer, model",
) -> str:
    """padded_by_hand with one of its steps changed."""
    return (
        f"def padded_by_hand({params}):\n"
        "    rows = [tokenizer.convert_tokens_to_ids(tokenizer.tokenize(text)) for text in sentences]\n"
        "    width = max(len(row) for row in rows)\n"
        f"    fill = {fill}\n"
        f"    padded = torch.tensor([{rows} for row in rows])\n"
        f"    mask = torch.tensor([{mask} for row in rows])\n"
        f"    with torch.no_grad():\n        scores = {call}.logits\n"
        "    return padded, mask, scores\n"
    )


ANSWERS = {
    "try_twice_solution": [
        ("one row, not two", twice("[ids]")),
        ("the ids concatenated into one row", twice("[ids + ids]")),
        ("no batch dimension", twice("ids")),
        ("probabilities, not logits", twice("[ids, ids]", returned="output.logits.softmax(dim=-1)")),
        ("the notebook's model, not the one given", twice("[ids, ids]", params="ids, given_model")),
        (
            "each copy run alone, then stacked",
            logits_twice(
                "    with torch.no_grad():\n"
                "        return torch.cat([model(torch.tensor([ids])).logits for _ in range(2)])\n"
            ),
        ),
        unanswered("logits_twice(ids, model)"),
    ],
    "try_padded_solution": [
        ("padded with 0, not the tokenizer's padding id", padded(fill="0")),
        (
            "the mask read from the ids (ids != pad_token_id)",
            padded(mask="[int(i != fill) for i in row + [fill] * (width - len(row))]"),
        ),
        ("no attention mask", padded(call="model(padded)")),
        (
            "padded on the left",
            padded(
                rows="[fill] * (width - len(row)) + row", mask="[0] * (width - len(row)) + [1] * len(row)"
            ),
        ),
        (
            "each sentence run alone, then stacked",
            padded(call="torch.cat([model(torch.tensor([row])).logits for row in rows])").replace(
                "scores = torch.cat([model(torch.tensor([row])).logits for row in rows]).logits",
                "scores = torch.cat([model(torch.tensor([row])).logits for row in rows])",
            ),
        ),
        (
            "the tokenizer's own padding, without special tokens",
            "def padded_by_hand(sentences, tokenizer, model):\n"
            '    batch = tokenizer(sentences, padding=True, add_special_tokens=False, return_tensors="pt")\n'
            "    with torch.no_grad():\n        scores = model(**batch).logits\n"
            '    return batch["input_ids"], batch["attention_mask"], scores\n',
        ),
        ("the notebook's model, not the one given", padded(params="sentences, tokenizer, given_model")),
        unanswered("padded_by_hand(sentences, tokenizer, model)"),
    ],
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


def said(attempt) -> str:
    """What the self-check printed, its lines joined (messages wrap at 80 columns in the notebook)."""
    return " ".join(attempt.self_check.split())


exercises, test_wrong_answers_fail_both_the_self_check_and_the_tests, test_the_untouched_student_notebook = (
    exercise_tests(NAME, ANSWERS)
)


def test_the_global_model_and_tokenizer_are_named(exercises):
    model = exercises["ex3_masked_batch_solution"].answer("global")
    assert "not the `model` argument" in said(model), model
    tokenizer = exercises["ex4_truncate_solution"].answer("global")
    assert "ignores the tokenizer it is given" in said(tokenizer), tokenizer
