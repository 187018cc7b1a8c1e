"""05_putting_it_together: plausible wrong answers fail both the self-check and the graded tests (issue #14).

The notebook runs once (module fixture); at each exercise every wrong answer below replaces the solution
cell, followed by the exercise's self-check and graded test cells (tests/exercise_harness.py). Each wrong
answer is a mistake a message of course.checks.together names, or a ready-made answer in place of the work
(the pipeline, the notebook's own model or tokenizer, the tokenizer's own encoding, BERT's ids from memory).
"""

from __future__ import annotations

import pytest
from exercise_harness import define, exercise_tests, variants

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

NAME = "chapter2/05_putting_it_together.ipynb"

_encode = define("encode_fixed", "texts, tokenizer, length=8")
_special = define("with_special_tokens", "ids, tokenizer")


RIGHT_CLASSIFY = """\
def classify({params}):
    batch = {tok}(texts, padding=True, truncation=True, return_tensors="pt"){unmask}
    with torch.no_grad():
        logits = {mdl}(**batch).logits
    probabilities = {probabilities}
    results = []
    for row in probabilities:
        index = int(row.argmax())
        results.append({{"label": {label}, "score": row[index].item()}})
    return results
"""


_classify = variants(
    RIGHT_CLASSIFY,
    params="texts, tokenizer, model",
    tok="tokenizer",
    mdl="model",
    unmask="",
    probabilities="torch.softmax(logits, dim=-1)",
    label="model.config.id2label[index]",
)


ANSWERS = {
    "ex1_fixed_length_solution": [
        (
            'padding=True (the longest text) instead of "max_length"',
            _encode(
                "    return tokenizer(texts, padding=True, truncation=True, max_length=length,"
                ' return_tensors="pt")\n'
            ),
        ),
        (
            "no truncation",
            _encode(
                '    return tokenizer(texts, padding="max_length", max_length=length, return_tensors="pt")\n'
            ),
        ),
        (
            "NumPy arrays",
            _encode(
                '    return tokenizer(texts, padding="max_length", truncation=True, max_length=length,'
                ' return_tensors="np")\n'
            ),
        ),
        (
            "length hard-coded as 8",
            _encode(
                '    return tokenizer(texts, padding="max_length", truncation=True, max_length=8,'
                ' return_tensors="pt")\n'
            ),
        ),
        (
            "the notebook's tokenizer, not the argument",
            _encode(
                '    return tokenizer(texts, padding="max_length", truncation=True, max_length=length,'
                ' return_tensors="pt")\n',
                params="texts, tok, length=8",
            ),
        ),
        (
            "cut by slicing (loses [SEP])",
            _encode(
                '    batch = tokenizer(texts, padding="max_length", truncation=True, max_length=64,'
                ' return_tensors="pt")\n'
                "    return {key: value[:, :length] for key, value in batch.items()}\n"
            ),
        ),
    ],
    "ex2_special_tokens_solution": [
        ("BERT's 101 and 102 from memory", _special("    return [101] + list(ids) + [102]\n")),
        ("no special tokens", _special("    return list(ids)\n")),
        (
            "inserted in place",
            _special(
                "    ids.insert(0, tokenizer.cls_token_id)\n"
                "    ids.append(tokenizer.sep_token_id)\n"
                "    return ids\n"
            ),
        ),
        (
            "[CLS] and [SEP] swapped",
            _special("    return [tokenizer.sep_token_id] + list(ids) + [tokenizer.cls_token_id]\n"),
        ),
        (
            "decode, then the tokenizer's own call",
            _special('    return tokenizer(tokenizer.decode(ids))["input_ids"]\n'),
        ),
        (
            "the notebook's tokenizer's ids",
            _special(
                "    return [tokenizer.cls_token_id] + list(ids) + [tokenizer.sep_token_id]\n",
                params="ids, tok",
            ),
        ),
    ],
    "ex3_classify_solution": [
        ("the notebook's pipeline", "def classify(texts, tokenizer, model):\n    return classifier(texts)\n"),
        (
            "a pipeline built from the arguments",
            "def classify(texts, tokenizer, model):\n"
            '    return pipeline("sentiment-analysis", model=model, tokenizer=tokenizer)(texts)\n',
        ),
        (
            "the course's reference_scores",
            "from course.checks.together import reference_scores\n\n\n"
            "def classify(texts, tokenizer, model):\n"
            "    rows = reference_scores(tokenizer, model, texts)\n"
            '    return [{"label": model.config.id2label[int(r.argmax())], "score": r.max().item()}'
            " for r in rows]\n",
        ),
        ("the notebook's model, not the argument", _classify(params="texts, tokenizer, given_model")),
        ("the notebook's tokenizer, not the argument", _classify(params="texts, given_tokenizer, model")),
        ("no attention mask", _classify(unmask='\n    batch.pop("attention_mask")')),
        ("logits, not probabilities", _classify(probabilities="logits")),
        ("softmax over the batch (dim=0)", _classify(probabilities="torch.softmax(logits, dim=0)")),
        ("labels from memory", _classify(label='["NEGATIVE", "POSITIVE"][index % 2]')),
        ("a tensor score", _classify().replace("row[index].item()", "row[index]")),
    ],
}


exercises, test_wrong_answers_fail_both_the_self_check_and_the_tests, test_the_untouched_student_notebook = (
    exercise_tests(NAME, ANSWERS)
)
