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
        (lambda text: [c for c in text.lower() if c != " "], "keeps spaces or other whitespace"),
        (lambda text: [c for c in text.lower() if c.isalpha()], "expected ["),
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


def test_vocab_stats_reference_agrees_with_the_answer():
    """The course's reference (used by the notebook when the exercise is unanswered) is right, though
    the check refuses it as a learner's answer."""
    from course.checks.tokenizers import STATS_TEST, STATS_TRAIN
    from course.tokenizer_zoo import vocab_stats

    for cap in (None, 1):
        assert vocab_stats(str.split, STATS_TRAIN, STATS_TEST, cap) == good_stats(
            str.split, STATS_TRAIN, STATS_TEST, cap
        )


# --- encode / decode round trip ------------------------------------------------------------------


def good_encode(text, tokenizer):
    ids = tokenizer.convert_tokens_to_ids(tokenizer.tokenize(text))
    return [tokenizer.cls_token_id] + ids + [tokenizer.sep_token_id]


def good_decode(ids, tokenizer):
    return tokenizer.decode(ids, skip_special_tokens=True)


def test_round_trip_right(tokenizer):
    result = check("tokenizers_round_trip", good_encode, good_decode, tokenizer)
    assert result.passed, result.message
    assert "lowercased" in result.message and "[CLS] = 15, [SEP] = 13" in result.message
    assert "\"i ' ve been" in result.message and "clean_up_tokenization_spaces" in result.message


def test_round_trip_loads_the_tokenizer_itself():
    assert check("tokenizers_round_trip", good_encode, good_decode).passed


def test_round_trip_allows_tokenize_with_its_special_tokens(tokenizer):
    def encode(text, tok):
        return tok.convert_tokens_to_ids(tok.tokenize(text, add_special_tokens=True))

    assert check("tokenizers_round_trip", encode, good_decode, tokenizer).passed


@pytest.mark.parametrize(
    ("encode", "expected"),
    [
        (lambda text, tok: tok(text)["input_ids"], "encode calls PreTrainedTokenizerBase.__call__"),
        (lambda text, tok: tok.encode(text), "encode calls PreTrainedTokenizerBase.encode"),
        (lambda text, tok: tok.backend_tokenizer.encode(text).ids, "encode calls Tokenizer.encode"),
        (
            lambda text, tok: tok._encode_plus(text)["input_ids"],
            "encode calls TokenizersBackend._encode_plus",
        ),
        (lambda text, tok: tok.convert_tokens_to_ids(tok.tokenize(text)), "lacks the special tokens"),
        (lambda text, tok: tok.tokenize(text), "convert_tokens_to_ids"),
        (lambda text, tok: (101, 102), "returned tuple"),
        (
            lambda text, tok: [tok.sep_token_id] + good_encode(text, tok)[1:-1] + [tok.cls_token_id],
            "starts/ends with 102/101",
        ),
        (
            lambda text, tok: [101] + good_encode(text, tok)[1:-1] + [102],
            "another vocabulary: [CLS] = 15, [SEP] = 13) starts/ends with 101/102, expected 15 ([CLS])",
        ),
        (
            lambda text, tok: good_encode(text.lower().replace("transformer", "trans former"), tok),
            "first differ at position 3",
        ),
    ],
)
def test_round_trip_wrong_encode(tokenizer, encode, expected):
    result = check("tokenizers_round_trip", encode, good_decode, tokenizer)
    assert not result.passed
    assert expected in result.message, result.message


def test_round_trip_encode_with_the_global_tokenizer(tokenizer):
    result = check(
        "tokenizers_round_trip", lambda text, tok: good_encode(text, tokenizer), good_decode, tokenizer
    )
    assert not result.passed and "ignores the tokenizer it is given" in result.message, result.message


@pytest.mark.parametrize(
    ("decode", "expected"),
    [
        (lambda ids, tok: tok.decode(ids), "skip_special_tokens=True"),
        (lambda ids, tok: tok.decode(ids[1:-1]), "dropping the first and the last id is not enough"),
        (
            lambda ids, tok: tok.decode([i for i in ids if i not in (0, 101, 102)]),
            "another vocabulary: [CLS] = 15) gave '[CLS]",
        ),
        (lambda ids, tok: " ".join(tok.convert_ids_to_tokens(ids)[1:-1]), "'##' pieces apart"),
        (lambda ids, tok: tok.convert_ids_to_tokens(ids), "return one string"),
        (lambda ids, tok: tok.decode(ids, skip_special_tokens=True).encode(), "returned bytes"),
        (lambda ids, tok: tok.decode(ids, skip_special_tokens=True).upper(), "expected 'using"),
        (
            lambda ids, tok: tok.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=True),
            "you passed clean_up_tokenization_spaces=True",
        ),
    ],
)
def test_round_trip_wrong_decode(tokenizer, decode, expected):
    result = check("tokenizers_round_trip", good_encode, decode, tokenizer)
    assert not result.passed
    assert expected in result.message, result.message


def test_round_trip_decode_with_the_global_tokenizer(tokenizer):
    result = check(
        "tokenizers_round_trip", good_encode, lambda ids, tok: good_decode(ids, tokenizer), tokenizer
    )
    assert not result.passed
    assert "ignores the tokenizer it is given and reads the ids" in result.message, result.message


# --- the course's reference answers are not the learner's work ------------------------------------


def test_the_reference_answers_are_refused():
    from course import tokenizer_zoo

    for name, answer in [
        ("tokenizers_word_tokenizer", tokenizer_zoo.word_tokenize),
        ("tokenizers_char_tokenizer", lambda text: tokenizer_zoo.char_tokenize(text)),
        ("tokenizers_vocab_stats", tokenizer_zoo.vocab_stats),
    ]:
        result = check(name, answer)
        assert not result.passed and "course.tokenizer_zoo" in result.message, result.message


def test_calls_to_counts_only_calls_from_outside_the_library(tokenizer):
    from course.checks.tokenizers import one_call_encoding

    with one_call_encoding() as used:
        tokenizer.tokenize("tokenize calls _encode_plus inside transformers")
    assert used == []
    with one_call_encoding() as used:
        tokenizer("a call")
        tokenizer("a second call")
    assert used == ["PreTrainedTokenizerBase.__call__"]


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
        "tokenizers_try_ids",
        "tokenizers_pairs",
    }


# tokenizers_try_ids -----------------------------------------------------------------------------

SECTION2 = ["I've been waiting for a HuggingFace course my whole life.", "I hate this so much!"]


def ids_by_hand(sentences, tokenizer):
    return [tokenizer.convert_tokens_to_ids(tokenizer.tokenize(s)) for s in sentences]


def _try_ids(tokenizer, function):
    earlier = tokenizer(SECTION2, add_special_tokens=False)["input_ids"]
    return run_check("tokenizers_try_ids", function, SECTION2, earlier, tokenizer)


def test_tokenize_convert_right(tokenizer):
    result = _try_ids(tokenizer, ids_by_hand)
    assert result.passed, result.message


@pytest.mark.parametrize(
    "wrong, said",
    [
        (lambda s, t: t(s, add_special_tokens=False)["input_ids"], "the one-call encoding"),
        (lambda s, t: __import__("torch").tensor([[1, 2]]), "a Tensor; expected a list"),
        (lambda s, t: [i for row in ids_by_hand(s, t) for i in row], "got list of"),
        (lambda s, t: [t.tokenize(x) for x in s], "expected a list of int ids"),
        (lambda s, t: [[t.cls_token_id, *row, t.sep_token_id] for row in ids_by_hand(s, t)], "two ids more"),
        (lambda s, t: [t.convert_tokens_to_ids(x.lower().split()) for x in s], "unknown token(s)"),
        (lambda s, t: [row[::-1] for row in ids_by_hand(s, t)], "differ from"),
    ],
)
def test_tokenize_convert_wrong(tokenizer, wrong, said):
    result = _try_ids(tokenizer, wrong)
    assert not result.passed and said in result.message, result.message


def test_tokenize_convert_with_the_notebooks_tokenizer_fails_on_others(tokenizer):
    result = _try_ids(tokenizer, lambda s, t: ids_by_hand(s, tokenizer))
    assert not result.passed and "another vocabulary" in result.message, result.message


# tokenizers_pairs -----------------------------------------------------------------------------------

FIRSTS = ["Which tokenizer does BERT use?", "Is decoding exact?"]
SECONDS = ["BERT uses WordPiece, which marks pieces that continue a word.", "Not with an uncased vocabulary."]
PAIR_OPTIONS = dict(padding=True, truncation=True, return_tensors="pt")


def encode_pairs(firsts, seconds, tokenizer, max_length):
    return tokenizer(firsts, seconds, max_length=max_length, **PAIR_OPTIONS)


def test_pairs_right(tokenizer):
    result = run_check("tokenizers_pairs", encode_pairs, FIRSTS, SECONDS, tokenizer, 20)
    assert result.passed, result.message


@pytest.mark.parametrize(
    "wrong, said",
    [
        (lambda a, b, t, n: encode_pairs(a, b, t, n)["input_ids"], "expected the tokenizer's output"),
        (lambda a, b, t, n: t(a, b, padding=True, truncation=True, max_length=n), "not a PyTorch tensor"),
        (lambda a, b, t, n: t(a + b, max_length=n, **PAIR_OPTIONS), "each text has a row of its own"),
        (lambda a, b, t, n: encode_pairs(a[:1], b[:1], t, n), "expected one row per pair"),
        (lambda a, b, t, n: t(a, b, padding=True, return_tensors="pt"), "longer than max_length"),
        (
            lambda a, b, t, n: t([f"{x} {y}" for x, y in zip(a, b)], max_length=n, **PAIR_OPTIONS),
            "joined into one",
        ),
        (
            lambda a, b, t, n: t(
                a, b, padding="max_length", truncation=True, max_length=n, return_tensors="pt"
            ),
            "padded to the longest",
        ),
        (lambda a, b, t, n: encode_pairs(b, a, t, n), "differs from this tokenizer's encoding"),
        (
            lambda a, b, t, n: t(a, b, max_length=n, return_token_type_ids=False, **PAIR_OPTIONS),
            "token_type_ids is missing",
        ),
    ],
)
def test_pairs_wrong(tokenizer, wrong, said):
    result = run_check("tokenizers_pairs", wrong, FIRSTS, SECONDS, tokenizer, 20)
    assert not result.passed and said in result.message, result.message


def test_pairs_with_the_notebooks_tokenizer_fail_on_other_ids(tokenizer):
    result = run_check(
        "tokenizers_pairs",
        lambda a, b, t, n: encode_pairs(a, b, tokenizer, n),
        FIRSTS,
        SECONDS,
        tokenizer,
        20,
    )
    assert not result.passed and "other ids" in result.message, result.message


def test_every_failure_message_is_reached():
    from message_coverage import assert_every_failure_reached

    import course.checks.tokenizers

    assert_every_failure_reached(course.checks.tokenizers)
