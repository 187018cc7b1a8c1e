"""Every check of the Tokenizers notebook: the right answer passes, realistic wrong answers fail
with the message that says what is wrong."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from course.checks import run_check


def check(name, *args):
    return run_check(name, *args)


# --- word tokenizer ------------------------------------------------------------------------------


def good_words(text):
    return re.findall(r"\w+|[^\w\s]", text.lower())


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (lambda text: text.lower().split(), "keeps punctuation glued"),
        (lambda text: re.findall(r"\w+|[^\w\s]", text), "lowercase the text first"),
        (lambda text: re.split(r"(\W)", text.lower()), "empty or blank tokens"),
        (lambda text: " ".join(good_words(text)), "returned one string"),
        (lambda text: (t for t in good_words(text)), "returned generator"),
        (lambda text: re.findall(r"[a-z]+", text.lower()), "expected ["),
    ],
)
def test_word_tokenizer_wrong(answer, expected):
    result = check("tokenizers_word_tokenizer", answer)
    assert not result.passed
    assert expected in result.message


def test_word_tokenizer_right():
    result = check("tokenizers_word_tokenizer", good_words)
    assert result.passed, result.message
    assert "let" in result.message


def test_word_tokenizer_unanswered():
    def stub(text):
        raise NotImplementedError()

    result = check("tokenizers_word_tokenizer", stub)
    assert not result.passed and "NotImplementedError" in result.message


# --- character tokenizer -------------------------------------------------------------------------


def good_chars(text):
    return [c for c in text.lower() if not c.isspace()]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (lambda text: list(text.lower()), "keeps spaces"),
        (lambda text: [c for c in text if not c.isspace()], "keeps capitals"),
        (lambda text: text.lower().split(), "exactly one character"),
        (lambda text: "".join(good_chars(text)), "returned one string"),
        (lambda text: [ord(c) for c in good_chars(text)], "must be a string"),
    ],
)
def test_char_tokenizer_wrong(answer, expected):
    result = check("tokenizers_char_tokenizer", answer)
    assert not result.passed
    assert expected in result.message


def test_char_tokenizer_right():
    assert check("tokenizers_char_tokenizer", good_chars).passed


# --- vocabulary statistics -----------------------------------------------------------------------


def good_stats(tokenize, train_texts, test_texts, max_size=None):
    counts = Counter(t for text in train_texts for t in tokenize(text))
    vocab = {t for t, _ in counts.most_common(max_size)}
    tokens = [t for text in test_texts for t in tokenize(text)]
    return {
        "vocab_size": len(vocab),
        "unk_rate": sum(t not in vocab for t in tokens) / len(tokens),
        "tokens_per_text": len(tokens) / len(test_texts),
    }


def stats_with(**changes):
    def answer(tokenize, train_texts, test_texts, max_size=None):
        out = good_stats(tokenize, train_texts, test_texts, max_size)
        for key, make in changes.items():
            out[key] = make(tokenize, train_texts, test_texts, max_size)
        return out

    return answer


def distinct_unknown_rate(tokenize, train, test, max_size):
    vocab = {t for text in train for t in tokenize(text)}
    tokens = {t for text in test for t in tokenize(text)}
    return len(tokens - vocab) / len(tokens)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            stats_with(vocab_size=lambda tok, tr, te, m: len({t for x in te for t in tok(x)})),
            "from the test texts",
        ),
        (
            stats_with(vocab_size=lambda tok, tr, te, m: len({t for x in tr + te for t in tok(x)})),
            "from train and test texts",
        ),
        (stats_with(vocab_size=lambda tok, tr, te, m: sum(len(tok(x)) for x in tr)), "distinct token once"),
        (stats_with(unk_rate=distinct_unknown_rate), "counted distinct unknown tokens"),
        (
            stats_with(unk_rate=lambda tok, tr, te, m: 1 - good_stats(tok, tr, te, m)["unk_rate"]),
            "share of KNOWN tokens",
        ),
        (
            stats_with(tokens_per_text=lambda tok, tr, te, m: sum(len(tok(x)) for x in tr) / len(tr)),
            "per TEST text",
        ),
        (
            lambda tokenize, train, test, max_size=None: good_stats(tokenize, train, test),
            "max_size=1 vocab_size",
        ),
        (lambda tokenize, train, test: good_stats(tokenize, train, test), "give it a parameter max_size"),
        (lambda tokenize, train, test, max_size=None: (1, 2, 3), "return a dict"),
        (
            lambda tokenize, train, test, max_size=None: {"vocab_size": 7},
            "lacks ['unk_rate', 'tokens_per_text']",
        ),
    ],
)
def test_vocab_stats_wrong(answer, expected):
    result = check("tokenizers_vocab_stats", answer)
    assert not result.passed
    assert expected in result.message, result.message


def test_vocab_stats_right():
    result = check("tokenizers_vocab_stats", good_stats)
    assert result.passed, result.message
    assert "unk_rate 0.429" in result.message


def test_vocab_stats_wrong_cap():
    def keeps_the_rarest(tokenize, train, test, max_size=None):
        counts = Counter(t for text in train for t in tokenize(text))
        vocab = set(sorted(counts, key=counts.get)[:max_size]) if max_size else set(counts)
        tokens = [t for text in test for t in tokenize(text)]
        return {
            "vocab_size": len(vocab),
            "unk_rate": sum(t not in vocab for t in tokens) / len(tokens),
            "tokens_per_text": len(tokens) / len(test),
        }

    result = check("tokenizers_vocab_stats", keeps_the_rarest)
    assert not result.passed and "the most frequent training token" in result.message


def test_vocab_stats_reference_passes():
    from course.tokenizer_zoo import vocab_stats

    assert check("tokenizers_vocab_stats", vocab_stats).passed


# --- encode / decode round trip ------------------------------------------------------------------


@pytest.fixture(scope="module")
def pieces(tokenizer):
    def encode(text):
        ids = tokenizer.convert_tokens_to_ids(tokenizer.tokenize(text))
        return [tokenizer.cls_token_id] + ids + [tokenizer.sep_token_id]

    def decode(ids):
        return tokenizer.decode(ids, skip_special_tokens=True)

    return encode, decode


def test_round_trip_right(pieces, tokenizer):
    result = check("tokenizers_round_trip", *pieces, tokenizer)
    assert result.passed, result.message
    assert "lowercased" in result.message
    assert "\"i ' ve been" in result.message and "clean_up_tokenization_spaces" in result.message


def test_round_trip_loads_the_tokenizer_itself(pieces):
    assert check("tokenizers_round_trip", *pieces).passed


def test_round_trip_wrong_encode(pieces, tokenizer):
    _, decode = pieces
    cases = [
        (lambda text: tokenizer.convert_tokens_to_ids(tokenizer.tokenize(text)), "lacks the special tokens"),
        (lambda text: tokenizer.tokenize(text), "convert_tokens_to_ids"),
        (lambda text: tokenizer(text, return_tensors="pt"), "returned BatchEncoding"),
        (
            lambda text: [tokenizer.sep_token_id] + pieces[0](text)[1:-1] + [tokenizer.cls_token_id],
            "starts/ends with 102/101",
        ),
        (
            lambda text: pieces[0](text.lower().replace("transformer", "trans former")),
            "first differ at position 3",
        ),
    ]
    for encode, expected in cases:
        result = check("tokenizers_round_trip", encode, decode, tokenizer)
        assert not result.passed
        assert expected in result.message, result.message


def test_round_trip_wrong_decode(pieces, tokenizer):
    encode, _ = pieces
    cases = [
        (lambda ids: tokenizer.decode(ids), "skip_special_tokens=True"),
        (lambda ids: " ".join(tokenizer.convert_ids_to_tokens(ids)[1:-1]), "'##' pieces apart"),
        (lambda ids: tokenizer.convert_ids_to_tokens(ids), "return one string"),
        (lambda ids: tokenizer.decode(ids, skip_special_tokens=True).upper(), "expected 'using"),
        (
            lambda ids: tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=True),
            "you passed clean_up_tokenization_spaces=True",
        ),
    ]
    for decode, expected in cases:
        result = check("tokenizers_round_trip", encode, decode, tokenizer)
        assert not result.passed
        assert expected in result.message, result.message


def test_check_names_are_prefixed():
    from course.checks import available
    from course.checks.base import REGISTRY

    available()
    names = {n for n, f in REGISTRY.items() if f.__module__ == "course.checks.tokenizers"}
    assert names == {
        "tokenizers_word_tokenizer",
        "tokenizers_char_tokenizer",
        "tokenizers_vocab_stats",
        "tokenizers_round_trip",
    }
