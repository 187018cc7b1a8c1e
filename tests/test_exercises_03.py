"""Issue #14, notebook 03 (Tokenizers): plausible wrong answers to every exercise, each the full source
of the solution cell, fail both the self-check and the graded test cells; the solution passes both.

The wrong answers are the mistakes the checks' messages name: splitting on spaces, no lowercasing,
blank tokens, whitespace kept, the vocabulary learned from the wrong texts, distinct unknowns,
max_size ignored, the course's own reference answers (course.tokenizer_zoo) called in place of the
work, the tokenizer's one-call encoding, hard-coded BERT ids, a global tokenizer, special tokens
left in or sliced off by position.
"""

from __future__ import annotations

import pytest
from exercise_harness import define, exercise_tests, unanswered

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

NAME = "chapter2/03_tokenizers.ipynb"


def word(body: str, imports: str = "import re\n") -> str:
    return f"{imports}\n\ndef word_tokenize(text):\n    {body}\n\n\nprint(word_tokenize(text))\n"


char = define("char_tokenize", "text")


STATS_HEAD = (
    "from collections import Counter\n\n\n"
    "def vocab_stats(tokenize, train_texts, test_texts, max_size=None):\n"
    "    counts = Counter(token for text in train_texts for token in tokenize(text))\n"
    "    vocab = {token for token, _ in counts.most_common(max_size)}\n"
    "    test_tokens = [token for text in test_texts for token in tokenize(text)]\n"
)
STATS_RETURN = (
    '    return {"vocab_size": len(vocab), "unk_rate": unknown / len(test_tokens),\n'
    '            "tokens_per_text": len(test_tokens) / len(test_texts)}\n'
)


def stats(middle: str, head: str = STATS_HEAD, tail: str = STATS_RETURN) -> str:
    return head + middle + tail


RIGHT_ENCODE = (
    "def encode(text, tokenizer):\n"
    "    ids = tokenizer.convert_tokens_to_ids(tokenizer.tokenize(text))\n"
    "    return [tokenizer.cls_token_id] + ids + [tokenizer.sep_token_id]\n"
)
RIGHT_DECODE = "def decode(ids, tokenizer):\n    return tokenizer.decode(ids, skip_special_tokens=True)\n"


def round_trip(encode: str = RIGHT_ENCODE, decode: str = RIGHT_DECODE) -> str:
    return f"{encode}\n\n{decode}\n"


ids_by_hand = define("ids_by_hand", "sentences, tokenizer")
encode_pairs = define("encode_pairs", "firsts, seconds, tokenizer, max_length")
PAIRS = 'padding=True, truncation=True, max_length=max_length, return_tensors="pt"'

ANSWERS = {
    "try_ids_solution": [
        (
            "the one-call encoding without special tokens",
            ids_by_hand('return tokenizer(sentences, add_special_tokens=False)["input_ids"]'),
        ),
        (
            "the one-call encoding with its special tokens",
            ids_by_hand('return tokenizer(sentences)["input_ids"]'),
        ),
        (
            "words split on spaces, then converted",
            ids_by_hand("return [tokenizer.convert_tokens_to_ids(s.lower().split()) for s in sentences]"),
        ),
        (
            "the notebook's tokenizer, not the one given",
            ids_by_hand(
                "return [tokenizer.convert_tokens_to_ids(tokenizer.tokenize(s)) for s in sentences]",
                params="sentences, given_tokenizer",
            ),
        ),
        ("tokens, not ids", ids_by_hand("return [tokenizer.tokenize(s) for s in sentences]")),
        (
            "one list for all the sentences",
            ids_by_hand(
                "return tokenizer.convert_tokens_to_ids("
                "[t for s in sentences for t in tokenizer.tokenize(s)])"
            ),
        ),
        unanswered("ids_by_hand(sentences, tokenizer)"),
    ],
    "ex5_pairs_solution": [
        (
            "the two texts joined into one string",
            encode_pairs(f'return tokenizer([a + " " + b for a, b in zip(firsts, seconds)], {PAIRS})'),
        ),
        ("every text a row of its own", encode_pairs(f"return tokenizer(firsts + seconds, {PAIRS})")),
        (
            "no truncation",
            encode_pairs('return tokenizer(firsts, seconds, padding=True, return_tensors="pt")'),
        ),
        (
            "padded to max_length",
            encode_pairs(
                "return tokenizer(firsts, seconds, "
                + PAIRS.replace("padding=True", 'padding="max_length"')
                + ")"
            ),
        ),
        (
            "lists, not tensors",
            encode_pairs(
                "return tokenizer(firsts, seconds, padding=True, truncation=True, max_length=max_length)"
            ),
        ),
        (
            "the notebook's tokenizer, not the one given",
            encode_pairs(
                f"return tokenizer(firsts, seconds, {PAIRS})", params="firsts, seconds, given, max_length"
            ),
        ),
        ("first and second texts swapped", encode_pairs(f"return tokenizer(seconds, firsts, {PAIRS})")),
        unanswered("encode_pairs(firsts, seconds, tokenizer, max_length)"),
    ],
    "ex1_word_solution": [
        ("split on spaces", word("return text.lower().split()")),
        ("not lowercased", word(r'return re.findall(r"\w+|[^\w\s]", text)')),
        ("re.split leaves blank tokens", word(r'return re.split(r"(\W)", text.lower())')),
        ("letters only, punctuation dropped", word(r'return re.findall(r"[a-z]+", text.lower())')),
        (
            "the course's reference answer",
            "from course.tokenizer_zoo import word_tokenize\n\nprint(word_tokenize(text))\n",
        ),
        (
            "a wrapper around the course's reference",
            word("return tokenizer_zoo.word_tokenize(text)", imports="from course import tokenizer_zoo\n"),
        ),
    ],
    "ex2_char_solution": [
        ("spaces kept", char("return list(text.lower())")),
        ("tabs and newlines kept", char('return [c for c in text.lower() if c != " "]')),
        ("not lowercased", char("return [c for c in text if not c.isspace()]")),
        ("words, not characters", char("return text.lower().split()")),
        ("the course's reference answer", "from course.tokenizer_zoo import char_tokenize\n"),
    ],
    "ex3_stats_solution": [
        (
            "vocabulary from the test texts",
            stats(
                "    vocab = {token for text in test_texts for token in tokenize(text)}\n"
                "    unknown = sum(token not in vocab for token in test_tokens)\n"
            ),
        ),
        (
            "distinct unknown tokens",
            stats("    unknown = len({token for token in test_tokens if token not in vocab})\n"),
        ),
        (
            "share of known tokens",
            stats("    unknown = sum(token in vocab for token in test_tokens)\n"),
        ),
        (
            "max_size ignored",
            stats(
                "    vocab = set(counts)\n    unknown = sum(token not in vocab for token in test_tokens)\n"
            ),
        ),
        (
            "tokens per TRAINING text",
            stats(
                "    unknown = sum(token not in vocab for token in test_tokens)\n",
                tail=(
                    '    return {"vocab_size": len(vocab), "unk_rate": unknown / len(test_tokens),\n'
                    '            "tokens_per_text":\n'
                    "                sum(len(tokenize(t)) for t in train_texts) / len(train_texts)}\n"
                ),
            ),
        ),
        (
            "the course's reference answer",
            "from course import tokenizer_zoo\n\n"
            "def vocab_stats(tokenize, train_texts, test_texts, max_size=None):\n"
            "    return tokenizer_zoo.vocab_stats(tokenize, train_texts, test_texts, max_size)\n",
        ),
    ],
    "ex4_round_trip_solution": [
        (
            "one call: tokenizer(text)",
            round_trip(encode='def encode(text, tokenizer):\n    return tokenizer(text)["input_ids"]\n'),
        ),
        (
            "one call: tokenizer.encode",
            round_trip(encode="def encode(text, tokenizer):\n    return tokenizer.encode(text)\n"),
        ),
        (
            "hard-coded 101 / 102",
            round_trip(
                encode="def encode(text, tokenizer):\n"
                "    return [101] + tokenizer.convert_tokens_to_ids(tokenizer.tokenize(text)) + [102]\n"
            ),
        ),
        (
            "no special tokens",
            round_trip(
                encode="def encode(text, tokenizer):\n"
                "    return tokenizer.convert_tokens_to_ids(tokenizer.tokenize(text))\n"
            ),
        ),
        (
            "the global BERT tokenizer",
            round_trip(
                encode="def encode(text, tok):\n"
                "    ids = tokenizer.convert_tokens_to_ids(tokenizer.tokenize(text))\n"
                "    return [tokenizer.cls_token_id] + ids + [tokenizer.sep_token_id]\n"
            ),
        ),
        (
            "decode keeps the special tokens",
            round_trip(decode="def decode(ids, tokenizer):\n    return tokenizer.decode(ids)\n"),
        ),
        (
            "decode drops the first and last id",
            round_trip(decode="def decode(ids, tokenizer):\n    return tokenizer.decode(ids[1:-1])\n"),
        ),
        (
            "decode filters hard-coded ids",
            round_trip(
                decode="def decode(ids, tokenizer):\n"
                "    return tokenizer.decode([i for i in ids if i not in (0, 101, 102)])\n"
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


def test_the_reference_answer_is_named_in_the_self_check(exercises):
    for grade_id, label in [
        ("ex1_word_solution", "the course's reference answer"),
        ("ex2_char_solution", "the course's reference answer"),
        ("ex3_stats_solution", "the course's reference answer"),
    ]:
        attempt = exercises[grade_id].answer(label)
        assert "course.tokenizer_zoo" in said(attempt), attempt


def test_the_one_call_encoding_is_named(exercises):
    for attempt in exercises["ex4_round_trip_solution"].answers[:2]:
        assert "build the ids by hand" in " ".join(attempt.test_failures), attempt
        assert "adds the special tokens for you" in said(attempt), attempt
