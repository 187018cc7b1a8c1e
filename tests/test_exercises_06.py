"""06_processing_the_data: plausible wrong answers fail both the self-check and the graded tests (issue #14).

The notebook runs once (module fixture); at each exercise every wrong answer below replaces the solution
cell, followed by the exercise's self-check and graded test cells (tests/exercise_harness.py). Each wrong
answer is a mistake a message of course.checks.processing names, or a ready-made answer in place of the
work (DataCollatorWithPadding, the notebook's tokenizer or collator, the course's reference functions).
"""

from __future__ import annotations

import pytest
from exercise_harness import define, exercise_tests, unanswered, variants

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
            "from course.checks.processing import batches_waste\n\n\n"
            "def padding_waste(lengths, batch_size):\n"
            '    return batches_waste(lengths, range(len(lengths)), batch_size)["waste"]\n',
        ),
    ],
}


# ---- the "Try it out!" tasks of 3/2 (grade_id try_*): the library's API stays on; wrong answers fail anyway

_label_of = variants(
    "def label_of(dataset, index):\n{body}\n",
    body='    number = dataset[index]["label"]\n    return number, dataset.features["label"].int2str(number)',
)

RIGHT_APART = """\
def apart_and_pair(example, {tok}):
    first = {call}(example["sentence1"]{options})
    second = {call}(example["sentence2"]{options})
    pair = {pair}
    return first, second, pair


def pair_from_apart(first_ids, second_ids, tokenizer):
    second_part = {second_part}
    return {{"input_ids": first_ids + second_part, "token_type_ids": {types}}}
"""
_apart = variants(
    RIGHT_APART,
    tok="tokenizer",
    call="tokenizer",
    options="",
    pair='tokenizer(example["sentence1"], example["sentence2"])',
    second_part="second_ids[1:]",
    types="[0] * len(first_ids) + [1] * len(second_part)",
)

RIGHT_SST2 = """\
def preprocess_sst2(raw_datasets, {params}):
    def tokenize_sentences(batch):
        return {tok}(batch["sentence"]{options})

    tokenized = raw_datasets.map(tokenize_sentences{map_options})
    return {returned}, {collator}
"""
_sst2 = variants(
    RIGHT_SST2,
    params="tokenizer",
    tok="tokenizer",
    options=", truncation=True",
    map_options=", batched=True",
    returned="tokenized",
    collator="DataCollatorWithPadding(tokenizer=tokenizer)",
)

RIGHT_GLUE = """\
def preprocess_glue(raw_datasets, task, {params}):
    text_columns = {{
        "cola": ("sentence",), "sst2": ("sentence",),
        "mrpc": ("sentence1", "sentence2"), "rte": ("sentence1", "sentence2"),
        "stsb": ("sentence1", "sentence2"), "wnli": ("sentence1", "sentence2"),
        "qqp": ("question1", "question2"), "qnli": {qnli},
        "mnli": ("premise", "hypothesis"),{more_mnli}
    }}[task]

    def tokenize_texts(batch):
        return {tok}(*(batch[column] for column in {columns}), truncation=True{options})

    return raw_datasets.map(tokenize_texts, batched=True), DataCollatorWithPadding(tokenizer=tokenizer)
"""
_glue = variants(
    RIGHT_GLUE,
    params="tokenizer",
    tok="tokenizer",
    qnli='("question", "sentence")',
    more_mnli=' "mnli_matched": ("premise", "hypothesis"),\n'
    '        "mnli_mismatched": ("premise", "hypothesis"), '
    '"ax": ("premise", "hypothesis"),',
    columns="text_columns",
    options="",
)

ANSWERS |= {
    "try_label_of_solution": [
        unanswered("label_of(dataset, index)"),
        (
            "MRPC's label names hard-coded",
            _label_of(
                body='    number = dataset[index]["label"]\n'
                '    return number, ["not_equivalent", "equivalent"][number]'
            ),
        ),
        (
            "element index counted from 1",
            _label_of(
                body='    number = dataset[index - 1]["label"]\n'
                '    return number, dataset.features["label"].int2str(number)'
            ),
        ),
        (
            "the row whose idx is index",
            _label_of(
                body='    row = dataset.filter(lambda r: r["idx"] == index)[0]\n'
                '    return row["label"], dataset.features["label"].int2str(row["label"])'
            ),
        ),
        ("the label number only", _label_of(body='    return dataset[index]["label"]')),
        (
            "the idx column as the label",
            _label_of(
                body='    number = dataset[index]["idx"]\n'
                '    return number, dataset.features["label"].names[number % 2]'
            ),
        ),
        ("MRPC's answer hard-coded", _label_of(body='    return 0, "not_equivalent"')),
    ],
    "try_apart_and_pair_solution": [
        ("the pair as one text", _apart(pair='tokenizer(example["sentence1"] + " " + example["sentence2"])')),
        ("the sentences apart without special tokens", _apart(options=", add_special_tokens=False")),
        ("the notebook's tokenizer, not the argument", _apart(tok="tok")),
        ("tensors", _apart(options=', return_tensors="pt"')),
        ("both [CLS] kept in the rebuilt pair", _apart(second_part="second_ids")),
        ("segment ids all 0", _apart(types="[0] * (len(first_ids) + len(second_part))")),
        ("BERT's [CLS] id hard-coded", _apart(second_part="[t for t in second_ids if t != 101]")),
        (
            "the string '[CLS]' in place of tokenizer.cls_token",
            _apart(second_part='[t for t in second_ids if t != tokenizer.convert_tokens_to_ids("[CLS]")]'),
        ),
        (
            "segment 1 counted from the second [CLS]",
            _apart(types="[0] * len(first_ids) + [1] * len(second_ids)"),
        ),
    ],
    "try_preprocess_sst2_solution": [
        unanswered("preprocess_sst2(raw_datasets, tokenizer)"),
        ("map without batched=True", _sst2(map_options="")),
        ("padded in the map", _sst2(options=", truncation=True, padding=True")),
        ("padded to max_length", _sst2(options=', truncation=True, padding="max_length"')),
        ("no truncation", _sst2(options="")),
        ("the notebook's tokenizer in the collator", _sst2(params="tok", tok="tok")),
        (
            "the collator pads to 128",
            _sst2(collator='DataCollatorWithPadding(tokenizer, padding="max_length", max_length=128)'),
        ),
        (
            "default_data_collator (no padding)",
            _sst2(collator="__import__('transformers').default_data_collator"),
        ),
        (
            "a collator that pads with 0",
            _sst2(
                collator='lambda rows: {k: torch.tensor([r[k] + [0] * (max(len(x["input_ids"]) for x in rows)'
                ' - len(r[k])) for r in rows]) for k in rows[0] if k != "label"}'
                ' | {"labels": torch.tensor([r["label"] for r in rows])}'
            ),
        ),
        ("the training split only", _sst2(returned='{"train": tokenized["train"]}')),
        (
            "the course's reference in place of the work",
            "from course.checks.processing import reference_preprocess\n\n\n"
            "def preprocess_sst2(raw_datasets, tokenizer):\n"
            '    return reference_preprocess(raw_datasets, "sst2", tokenizer)\n',
        ),
    ],
    "try_preprocess_glue_solution": [
        unanswered("preprocess_glue(raw_datasets, task, tokenizer)"),
        ("always sentence1 and sentence2", _glue(columns='("sentence1", "sentence2")')),
        ("qnli's columns swapped", _glue(qnli='("sentence", "question")')),
        ("no mnli_matched, mnli_mismatched or ax", _glue(more_mnli="")),
        ("padded in the map", _glue(options=", padding=True")),
        ("the notebook's tokenizer", _glue(params="tok")),
        ("single sentences paired with themselves", _glue(columns="(text_columns * 2)[:2]")),
    ],
}


exercises, test_wrong_answers_fail_both_the_self_check_and_the_tests, test_the_untouched_student_notebook = (
    exercise_tests(NAME, ANSWERS)
)
