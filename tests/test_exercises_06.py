"""06_processing_the_data: plausible wrong answers fail both the self-check and the graded tests (issue #14).

The notebook runs once (module fixture); at each exercise every wrong answer below replaces the solution
cell, followed by the exercise's self-check and graded test cells (tests/exercise_harness.py). Each wrong
answer is a mistake a message of course.checks.processing names, or a ready-made answer in place of the
work (DataCollatorWithPadding, the notebook's tokenizer or collator, the course's reference functions).
"""

from __future__ import annotations

import pytest
from exercise_harness import define, exercise_tests, variants

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

NAME = "chapter3/06_processing_the_data.ipynb"


def _tokenize(options: str, params: str = "batch, tokenizer", second: str = ', batch["sentence2"]') -> str:
    return f'def tokenize_function({params}):\n    return tokenizer(batch["sentence1"]{second}{options})\n'


RIGHT_COLLATE = """\
def collate(features, {params}):
    width = {width}
    pad_values = {{"input_ids": {pad_id}, "token_type_ids": tokenizer.pad_token_type_id,
                  "attention_mask": {mask_pad}}}
    batch = {{}}
    for key, pad in pad_values.items():
        rows = [{row} for example in features]
        batch[key] = torch.tensor(rows, dtype=torch.long)
    batch[{label_key}] = torch.tensor([example["label"] for example in features], dtype=torch.long)
    return batch
"""


_collate = variants(
    RIGHT_COLLATE,
    params="tokenizer",
    width='max(len(example["input_ids"]) for example in features)',
    pad_id="tokenizer.pad_token_id",
    mask_pad="0",
    row="list(example[key]) + [pad] * (width - len(example[key]))",
    label_key='"labels"',
)
_waste = define("padding_waste", "lengths, batch_size")


ANSWERS = {
    "processing_tokenize_solution": [
        ("padded to the longest pair", _tokenize(", truncation=True, padding=True")),
        ("padded to max_length", _tokenize(', truncation=True, padding="max_length"')),
        ("one sentence, not the pair", _tokenize(", truncation=True", second="")),
        ("no truncation", _tokenize("")),
        ("max_length=128", _tokenize(", truncation=True, max_length=128")),
        ("BERT's limit hard-coded (max_length=512)", _tokenize(", truncation=True, max_length=512")),
        ("the notebook's tokenizer, not the argument", _tokenize(", truncation=True", params="batch, tok")),
        ("tensors", _tokenize(', truncation=True, padding=True, return_tensors="pt"')),
        (
            "the course's reference in place of the work",
            "from course.checks.processing import reference_tokenize_function as tokenize_function\n",
        ),
    ],
    "processing_collate_solution": [
        ("[PAD] hard-coded as BERT's 0", _collate(pad_id="0")),
        ("the notebook's tokenizer, not the argument", _collate(params="tok")),
        (
            "DataCollatorWithPadding in place of the work",
            "def collate(features, tokenizer):\n    return DataCollatorWithPadding(tokenizer)(features)\n",
        ),
        (
            "the notebook's data_collator",
            "def collate(features, tokenizer):\n    return data_collator(features)\n",
        ),
        ("label not renamed to labels", _collate(label_key='"label"')),
        ("padded to 128", _collate(width="128")),
        ("padded on the left", _collate(row="[pad] * (width - len(example[key])) + list(example[key])")),
        ("attention mask 1 on padding", _collate(mask_pad="1")),
    ],
    "processing_waste_solution": [
        (
            "every row padded to the longest overall",
            _waste("    return 1 - sum(lengths) / (max(lengths) * len(lengths))\n"),
        ),
        (
            "padding over the real tokens",
            _waste(
                "    batches = [lengths[i:i + batch_size] for i in range(0, len(lengths), batch_size)]\n"
                "    return sum(max(b) * len(b) - sum(b) for b in batches) / sum(lengths)\n"
            ),
        ),
        (
            "last, smaller batch dropped",
            _waste(
                "    full = len(lengths) // batch_size * batch_size or len(lengths)\n"
                "    batches = [lengths[i:i + batch_size] for i in range(0, full, batch_size)]\n"
                "    total = sum(max(b) * len(b) for b in batches)\n"
                "    return (total - sum(sum(b) for b in batches)) / total\n"
            ),
        ),
        (
            "a percentage",
            _waste(
                "    batches = [lengths[i:i + batch_size] for i in range(0, len(lengths), batch_size)]\n"
                "    total = sum(max(b) * len(b) for b in batches)\n"
                "    return 100 * (total - sum(lengths)) / total\n"
            ),
        ),
        (
            "the course's reference in place of the work",
            "from course.checks.processing import padding_waste_reference as padding_waste\n",
        ),
        (
            "the course's plot helper in place of the work",
            "from course.viz.training import _batches_waste\n\n\n"
            "def padding_waste(lengths, batch_size):\n"
            '    return _batches_waste(lengths, range(len(lengths)), batch_size)["waste"]\n',
        ),
    ],
}


exercises, test_wrong_answers_fail_both_the_self_check_and_the_tests, test_the_untouched_student_notebook = (
    exercise_tests(NAME, ANSWERS)
)
