"""09_language_model_data: plausible wrong answers fail both the self-check and the graded tests (issue #14).

The notebook runs once (module fixture); at each exercise every wrong answer below replaces the solution
cell, followed by the exercise's self-check and graded test cells (tests/exercise_harness.py). Each wrong
answer is a mistake a message of course.checks.lm_data names, or a ready-made function in place of the work.
"""

from __future__ import annotations

import pytest
from exercise_harness import define, exercise_tests, unanswered, variants

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

NAME = "chapter3/09_language_model_data.ipynb"

_group_texts = define("group_texts", "examples, block_size=128")
_loss = define("causal_lm_loss", "logits, labels", head="import torch.nn.functional as F\n\n\n")
_stats = define("masking_stats", "batch, mask_token_id")


RIGHT_STATS = """\
    input_ids, labels = batch["input_ids"], batch["labels"]
    selected = labels != -100
    n = int(selected.sum())
    masked = int(((input_ids == {mask}) & selected).sum())
    unchanged = int(((input_ids == labels) & selected).sum())
    return {{"selected": {selected}, "mask": masked / {per}, "random": ({random}) / {per},
            "unchanged": {unchanged} / {per}}}
"""


_stats_variant = variants(
    _stats(RIGHT_STATS),
    mask="mask_token_id",
    selected="n / labels.numel()",
    per="n",
    random="n - masked - unchanged",
    unchanged="unchanged",
)


ANSWERS = {
    "lm_group_texts_solution": [
        (
            "each example cut on its own (tails dropped)",
            _group_texts(
                "    result = {k: [row[i: i + block_size] for row in rows"
                " for i in range(0, len(row) - block_size + 1, block_size)]"
                " for k, rows in examples.items()}\n"
                '    result["labels"] = [list(c) for c in result["input_ids"]]\n'
                "    return result\n"
            ),
        ),
        (
            "remainder kept as a short last chunk",
            _group_texts(
                "    concatenated = {key: sum(examples[key], []) for key in examples}\n"
                "    result = {k: [v[i: i + block_size] for i in range(0, len(v), block_size)]"
                " for k, v in concatenated.items()}\n"
                '    result["labels"] = [list(c) for c in result["input_ids"]]\n'
                "    return result\n"
            ),
        ),
        (
            "remainder padded with [PAD] (0)",
            _group_texts(
                "    concatenated = {key: sum(examples[key], []) for key in examples}\n"
                "    concatenated = {k: v + [0] * (-len(v) % block_size) for k, v in concatenated.items()}\n"
                "    result = {k: [v[i: i + block_size] for i in range(0, len(v), block_size)]"
                " for k, v in concatenated.items()}\n"
                '    result["labels"] = [list(c) for c in result["input_ids"]]\n'
                "    return result\n"
            ),
        ),
        (
            "labels shifted by hand",
            _group_texts(
                "    concatenated = {key: sum(examples[key], []) for key in examples}\n"
                '    total = len(concatenated["input_ids"]) // block_size * block_size\n'
                "    result = {k: [v[i: i + block_size] for i in range(0, total, block_size)]"
                " for k, v in concatenated.items()}\n"
                '    result["labels"] = [c[1:] + [-100] for c in result["input_ids"]]\n'
                "    return result\n"
            ),
        ),
        (
            "the three BERT columns, whatever the batch has",
            _group_texts(
                "    concatenated = {key: sum(examples[key], []) for key in"
                ' ("input_ids", "token_type_ids", "attention_mask")}\n'
                '    total = len(concatenated["input_ids"]) // block_size * block_size\n'
                "    result = {k: [v[i: i + block_size] for i in range(0, total, block_size)]"
                " for k, v in concatenated.items()}\n"
                '    result["labels"] = [list(c) for c in result["input_ids"]]\n'
                "    return result\n"
            ),
        ),
        (
            "the course's reference in place of the work",
            _group_texts("    return course.checks.lm_data.reference_group_texts(examples, block_size)\n"),
        ),
        (
            "the course's reference, imported before",
            "from course.checks.lm_data import reference_group_texts as group_texts\n",
        ),
    ],
    "lm_causal_loss_solution": [
        (
            "no shift (each position against its own token)",
            _loss("    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1))\n"),
        ),
        (
            "shift the wrong way",
            _loss(
                "    return F.cross_entropy(logits[:, 1:].reshape(-1, logits.size(-1)),"
                " labels[:, :-1].reshape(-1))\n"
            ),
        ),
        (
            "shift after flattening (across rows)",
            _loss(
                "    return F.cross_entropy(logits.reshape(-1, logits.size(-1))[:-1],"
                " labels.reshape(-1)[1:])\n"
            ),
        ),
        (
            "summed instead of averaged",
            _loss(
                "    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.size(-1)),"
                ' labels[:, 1:].reshape(-1), reduction="sum")\n'
            ),
        ),
        (
            "padding counted (labels clamped)",
            _loss(
                "    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.size(-1)),"
                " labels[:, 1:].clamp(min=0).reshape(-1))\n"
            ),
        ),
        (
            "transformers' ForCausalLMLoss in place of the work",
            "from transformers.loss.loss_utils import ForCausalLMLoss\n\n\n"
            "def causal_lm_loss(logits, labels):\n"
            "    return ForCausalLMLoss(logits, labels, vocab_size=logits.size(-1))\n",
        ),
        (
            "the course's reference in place of the work",
            _loss("    return course.checks.lm_data.reference_causal_lm_loss(logits, labels)\n"),
        ),
    ],
    "lm_masking_stats_solution": [
        ("[MASK] hard-coded as BERT's 103", _stats_variant(mask="103")),
        ("[MASK] from the notebook's tokenizer", _stats_variant(mask="tokenizer.mask_token_id")),
        ("split over all positions", _stats_variant(per="labels.numel()")),
        ("random counts [MASK] too", _stats_variant(random="n - unchanged")),
        ("selected counts the -100 labels", _stats_variant(selected="1 - n / labels.numel()")),
        ("unchanged as the nominal 10 %", _stats_variant(unchanged="0.1 * n")),
    ],
}


RIGHT_PREPARE = """\
from transformers import DataCollatorForLanguageModeling


def prepare_lm_data(corpus, {params}, grouper, block_size, masked):
    def tokenize(batch):
        return {tok}(batch["sentence"]{options})

    tokenized = corpus.map(tokenize, batched=True{remove})
    chunks = tokenized.map(grouper{group_options}, fn_kwargs={{"block_size": {block}}})
    return chunks, {collator}
"""
_prepare = variants(
    RIGHT_PREPARE,
    params="tokenizer",
    tok="tokenizer",
    options="",
    remove=", remove_columns=corpus.column_names",
    group_options=", batched=True",
    block="block_size",
    collator="DataCollatorForLanguageModeling(tokenizer, mlm=masked)",
)

ANSWERS["lm_prepare_data_solution"] = [
    unanswered("prepare_lm_data(corpus, tokenizer, grouper, block_size, masked)"),
    ("the corpus's columns kept", _prepare(remove="")),
    ("grouping one example at a time", _prepare(group_options="")),
    ("block_size hard-coded to 128", _prepare(block="128")),
    ("padded when tokenizing", _prepare(options=", padding=True")),
    ("truncated when tokenizing", _prepare(options=", truncation=True, max_length=8")),
    ("the notebook's tokenizer", _prepare(params="tok")),
    ("always a masked-LM collator", _prepare(collator="DataCollatorForLanguageModeling(tokenizer)")),
    (
        "always a causal-LM collator",
        _prepare(collator="DataCollatorForLanguageModeling(tokenizer, mlm=False)"),
    ),
    (
        "half the tokens selected",
        _prepare(collator="DataCollatorForLanguageModeling(tokenizer, mlm=masked, mlm_probability=0.5)"),
    ),
    (
        "labels = input_ids by hand, no -100 on padding",
        _prepare(
            collator="lambda rows: (lambda b: {**b, 'labels': b['input_ids'].clone()})"
            "(tokenizer.pad(rows, return_tensors='pt'))"
        ),
    ),
]


exercises, test_wrong_answers_fail_both_the_self_check_and_the_tests, test_the_untouched_student_notebook = (
    exercise_tests(NAME, ANSWERS)
)
