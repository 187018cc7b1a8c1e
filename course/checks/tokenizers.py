"""Checks of chapter 2, notebook 3 (Tokenizers): a word tokenizer, a character tokenizer,
vocabulary statistics, and the encode/decode round trip.

Beyond the examples of the notebook, the checks make sure the learner's function does the work itself:
the course's own reference answers (`course.tokenizer_zoo`) are switched off while it runs (`own_work`),
and in the round trip the tokenizer's one-call encoding is watched (`one_call_encoding`, a `calls_to`
watcher: see `course.checks.shortcuts` for why it cannot be switched off). The round trip also runs on
`other_wordpiece(OTHER_WORDS)` (`course.checks.other_objects`), a small WordPiece tokenizer whose [CLS]
and [SEP] ids differ from BERT's, so that hard-coded ids and a global tokenizer show.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from typing import Any

from course.checks.base import CheckResult, fail, not_a_function, register, success
from course.checks.other_objects import other_wordpiece, reversed_ids_tokenizer
from course.checks.shortcuts import ONE_CALL_ENCODING, calls_to, methods, own_work_of

_WORD = re.compile(r"\w+|[^\w\s]")
WORD_CASES = (
    "Using a Transformer network is simple",
    "Let's do tokenization!",
    "Jim Henson was a puppeteer.",
    "  Hello,   world...  ",
)
CHAR_CASES = (*WORD_CASES, "One\ttab,\none newline")  # whitespace is not only " "
ROUND_TRIP_CASES = (
    "Using a Transformer network is simple",
    "Let's do tokenization!",
    "I've been waiting for a HuggingFace course my whole life.",
)
# A tiny corpus whose wrong answers all differ from the right one (tokenize = str.split).
STATS_TRAIN = ("the cat sat", "the cat ran", "a dog sat", "the end")
STATS_TEST = ("the dog barked", "a cat barked loudly")
STATS_KEYS = ("vocab_size", "unk_rate", "tokens_per_text")


# The words of `other_wordpiece` in the round trip: the other words of the texts are spelt in ## pieces.
OTHER_WORDS = ("using", "a", "network", "is", "let", "do", "been", "for", "my", "life", "token", "##ization")
REFERENCE_NAMES = ("word_tokenize", "char_tokenize", "build_vocab", "vocab_stats")


def _references(exercise: str, how: str) -> tuple[list[Callable[..., Any]], str]:
    """The course's reference answers in `course.tokenizer_zoo` (word_tokenize, ...), switched off."""
    from course import tokenizer_zoo

    return [getattr(tokenizer_zoo, name) for name in REFERENCE_NAMES], (
        f"{exercise} calls the course's own answer (course.tokenizer_zoo's {', '.join(REFERENCE_NAMES)}, "
        f"switched off while your function is checked): the exercise is to write it yourself, {how}."
    )


# The shortcuts switched off while the learner's function runs (course.checks.shortcuts); hidden tests too.
own_work = own_work_of(
    "notebook 03",
    {
        "word_tokenize": lambda: _references("word_tokenize", "with re.findall on the lowercased text"),
        "char_tokenize": lambda: _references("char_tokenize", "a list of the lowercased text's characters"),
        "vocab_stats": lambda: _references("vocab_stats", "with a Counter of the training tokens"),
    },
)


def one_call_encoding() -> Any:
    """`calls_to` the encoding calls that add the special tokens in one go, made from the learner's
    code: `tokenizer(...)`, `tokenizer.encode(...)`, `tokenizer._encode_plus(...)` and the Rust
    tokenizer's `encode` / `encode_batch`. Watched, not switched off: `tokenize` uses them inside
    transformers (not counted), and the Rust methods have no Python code to switch off."""
    import tokenizers
    import transformers
    from transformers.tokenization_utils_tokenizers import TokenizersBackend

    return calls_to(
        methods(TokenizersBackend, *ONE_CALL_ENCODING),
        outside=os.path.dirname(transformers.__file__),
        builtin_methods=((tokenizers.Tokenizer, "encode"), (tokenizers.Tokenizer, "encode_batch")),
    )


def _expected_words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _expected_chars(text: str) -> list[str]:
    return [c for c in text.lower() if not c.isspace()]


def _list_of_str(got: Any, name: str, text: str) -> CheckResult | None:
    """A failure when `got` is not a list of strings, else None."""
    if isinstance(got, str):
        return fail(
            f"{name}({text!r}) returned one string; return a list of tokens, e.g. [...] or list(...)."
        )
    if not isinstance(got, list):
        return fail(
            f"{name}({text!r}) returned {type(got).__name__}; return a list of strings "
            "(wrap a generator or map in list(...))."
        )
    wrong = [t for t in got if not isinstance(t, str)]
    if wrong:
        return fail(
            f"{name}({text!r}) holds {type(wrong[0]).__name__} items such as {wrong[0]!r}; "
            "every token must be a string."
        )
    return None


@register(
    "tokenizers_word_tokenizer",
    hints=(
        "Section 1, Word-based tokenization: text.split() leaves 'puppeteer.' and 'Let's' as tokens; "
        "the exercise's statement says what a word is.",
        "re.findall(pattern, text) returns every match as a list: use the pattern of the statement "
        "on text.lower().",
    ),
)
def check_word_tokenizer(word_tokenize: Callable[[str], list[str]]) -> CheckResult:
    """word_tokenize(text): lowercase, words and punctuation marks as separate tokens, no spaces."""
    with own_work("word_tokenize"):
        answers = [(text, word_tokenize(text)) for text in WORD_CASES]
    for text, got in answers:
        problem = _list_of_str(got, "word_tokenize", text)
        if problem is not None:
            return problem
        expected = _expected_words(text)
        if got == expected:
            continue
        if any(not t.strip() for t in got):
            return fail(
                f"word_tokenize({text!r}) contains empty or blank tokens {got}: re.split and "
                "str.split(' ') leave them; use re.findall(r\"\\w+|[^\\w\\s]\", text) or drop them."
            )
        if [t.lower() for t in got] == expected:
            return fail(
                f"word_tokenize({text!r}) gave {got}: lowercase the text first, so that 'Using' "
                "and 'using' are one vocabulary entry (as in bert-base-uncased)."
            )
        if [t.lower() for t in got] == text.lower().split():
            return fail(
                f"word_tokenize({text!r}) gave {got}: splitting on spaces keeps punctuation glued "
                "to words ('simple!' and 'simple' would be two entries); make each punctuation "
                "mark a token of its own."
            )
        return fail(
            f"word_tokenize({text!r}) gave {got}, expected {expected} "
            "(lowercase; words = runs of letters/digits/_; each other non-space character alone)."
        )
    example = WORD_CASES[1]
    return success(f"word_tokenize works: {example!r} -> {_expected_words(example)}.")


@register(
    "tokenizers_char_tokenizer",
    hints=(
        "Section 2, Character-based tokenization: one token per character, and whitespace is not a "
        "token, as in your word tokenizer.",
        "A list comprehension over text.lower() that keeps the characters c for which c.isspace() is False.",
    ),
)
def check_char_tokenizer(char_tokenize: Callable[[str], list[str]]) -> CheckResult:
    """char_tokenize(text): lowercase, one token per character, whitespace left out."""
    with own_work("char_tokenize"):
        answers = [(text, char_tokenize(text)) for text in CHAR_CASES]
    for text, got in answers:
        problem = _list_of_str(got, "char_tokenize", text)
        if problem is not None:
            return problem
        expected = _expected_chars(text)
        if got == expected:
            continue
        if any(len(t) != 1 for t in got):
            longer = next(t for t in got if len(t) != 1)
            return fail(
                f"char_tokenize({text!r}) has the token {longer!r}: every token must be exactly one "
                "character (list(text) gives that)."
            )
        if any(t.isspace() for t in got):
            return fail(
                f"char_tokenize({text!r}) keeps spaces or other whitespace as tokens: leave all of it out "
                "(spaces, tabs, newlines: str.isspace), as the word tokenizer does."
            )
        if [t.lower() for t in got] == expected:
            return fail(f"char_tokenize({text!r}) keeps capitals ({got[:6]}...): lowercase the text first.")
        return fail(f"char_tokenize({text!r}) gave {got}, expected {expected}.")
    example = "Let's go!"
    return success(f"char_tokenize works: {example!r} -> {_expected_chars(example)}.")


def _reference_stats(train: tuple[str, ...], test: tuple[str, ...], max_size: int | None) -> dict[str, float]:
    counts: dict[str, int] = {}
    for text in train:
        for token in text.split():
            counts[token] = counts.get(token, 0) + 1
    ranked = sorted(counts, key=lambda t: (-counts[t], t))
    vocab = set(ranked if max_size is None else ranked[:max_size])
    tokens = [t for text in test for t in text.split()]
    return {
        "vocab_size": len(vocab),
        "unk_rate": sum(t not in vocab for t in tokens) / len(tokens),
        "tokens_per_text": len(tokens) / len(test),
    }


@register(
    "tokenizers_vocab_stats",
    hints=(
        "Section 4, Vocabulary size, unknown tokens and sequence length: the vocabulary comes from the "
        "training texts only; unk_rate and tokens_per_text are measured on the test texts.",
        "collections.Counter(tokens of every training text).most_common(max_size) gives the kept "
        "vocabulary; then count the test tokens (every occurrence) that are not in it.",
    ),
)
def check_vocab_stats(vocab_stats: Callable[..., dict]) -> CheckResult:
    """vocab_stats(tokenize, train_texts, test_texts, max_size=None) -> a dict of three numbers.

    vocab_size (learned on train_texts), unk_rate and tokens_per_text (measured on test_texts).
    """
    train, test = list(STATS_TRAIN), list(STATS_TEST)
    with own_work("vocab_stats"):
        got = vocab_stats(str.split, train, test)
    if not isinstance(got, dict):
        return fail(
            f"vocab_stats returned {type(got).__name__}; return a dict with the keys {list(STATS_KEYS)}."
        )
    missing = [k for k in STATS_KEYS if k not in got]
    if missing:
        return fail(f"vocab_stats's dict lacks {missing}; it needs {list(STATS_KEYS)}.")
    want = _reference_stats(STATS_TRAIN, STATS_TEST, None)
    where = f"with tokenize=str.split, train={train}, test={test}"
    if got["vocab_size"] != want["vocab_size"]:
        test_types = len({t for text in test for t in text.split()})
        all_types = len({t for text in train + test for t in text.split()})
        if got["vocab_size"] == test_types:
            why = "you built the vocabulary from the test texts; learn it from train_texts only"
        elif got["vocab_size"] == all_types:
            why = "you built the vocabulary from train and test texts; learn it from train_texts only"
        elif got["vocab_size"] == sum(len(text.split()) for text in train):
            why = "you counted every training token; the vocabulary holds each distinct token once (a set)"
        else:
            why = "the vocabulary is the set of distinct tokens of the training texts"
        return fail(f"vocab_size is {got['vocab_size']}, expected {want['vocab_size']} {where}: {why}.")
    if not math.isclose(got["unk_rate"], want["unk_rate"], abs_tol=1e-9):
        test_tokens = [t for text in test for t in text.split()]
        vocab = {t for text in train for t in text.split()}
        distinct = {t for t in test_tokens if t not in vocab}
        if math.isclose(got["unk_rate"], len(distinct) / len(set(test_tokens)), abs_tol=1e-9) or math.isclose(
            got["unk_rate"], len(distinct) / len(test_tokens), abs_tol=1e-9
        ):
            why = (
                "you counted distinct unknown tokens; count every occurrence ('barked' twice is two "
                "unknowns) and divide by the number of test tokens"
            )
        elif math.isclose(got["unk_rate"], 1 - want["unk_rate"], abs_tol=1e-9):
            why = "that is the share of KNOWN tokens; the unknown rate is 1 minus it"
        else:
            why = "unk_rate = (test tokens not in the vocabulary) / (all test tokens)"
        return fail(f"unk_rate is {got['unk_rate']!r}, expected {want['unk_rate']:.4f} {where}: {why}.")
    if not math.isclose(got["tokens_per_text"], want["tokens_per_text"], abs_tol=1e-9):
        return fail(
            f"tokens_per_text is {got['tokens_per_text']!r}, expected {want['tokens_per_text']} "
            f"{where}: the mean number of tokens per TEST text "
            "(all test tokens / number of test texts)."
        )
    try:
        with own_work("vocab_stats"):
            capped = vocab_stats(str.split, train, test, max_size=1)
    except TypeError as error:
        return fail(
            f"vocab_stats(..., max_size=1) raised TypeError ({error}): give it a parameter "
            "max_size=None that caps the vocabulary at the max_size most frequent tokens."
        )
    want_capped = _reference_stats(STATS_TRAIN, STATS_TEST, 1)
    if not isinstance(capped, dict) or capped.get("vocab_size") != 1:
        size = capped.get("vocab_size") if isinstance(capped, dict) else capped
        return fail(
            f"with max_size=1 vocab_size is {size}, expected 1 {where}: keep only the max_size "
            "most frequent training tokens (collections.Counter(...).most_common(max_size))."
        )
    if not math.isclose(capped.get("unk_rate", -1), want_capped["unk_rate"], abs_tol=1e-9):
        return fail(
            f"with max_size=1 unk_rate is {capped.get('unk_rate')!r}, expected "
            f"{want_capped['unk_rate']:.4f}: the vocabulary is {{'the'}}, the most frequent "
            "training token; every other test token is unknown."
        )
    return success(
        f"vocab_stats works: {want['vocab_size']} entries, unk_rate {want['unk_rate']:.3f}; "
        f"capped at 1 entry the unknown rate rises to {want_capped['unk_rate']:.3f}."
    )


def _check_encode(encode: Callable[[str, Any], list[int]], tokenizer: Any, bert: Any) -> CheckResult | None:
    """encode(text, tokenizer) on the round-trip texts; `bert` is the notebook's tokenizer (None: it is
    `tokenizer`), to name the mistake of an answer that ignores the tokenizer it is given."""
    other = bert is not None and tokenizer is not bert
    where = (
        f" (a tokenizer of another vocabulary: [CLS] = {tokenizer.cls_token_id}, [SEP] = "
        f"{tokenizer.sep_token_id})"
        if other
        else ""
    )
    for text in ROUND_TRIP_CASES:
        expected = list(tokenizer(text)["input_ids"])
        with one_call_encoding() as used:
            got = encode(text, tokenizer)
        if used:
            return fail(
                f"encode calls {used[0]}, which adds the special tokens for you: the exercise builds the "
                "ids by hand, with tokenizer.tokenize, tokenizer.convert_tokens_to_ids and the "
                "special-token ids tokenizer.cls_token_id / tokenizer.sep_token_id."
            )
        if hasattr(got, "tolist"):
            got = got.tolist()
        if not isinstance(got, list):
            return fail(f"encode({text!r}) returned {type(got).__name__}; return a plain list of int ids.")
        if got and all(isinstance(t, str) for t in got):
            return fail(
                f"encode({text!r}) returned tokens {got[:4]}...; turn them into ids with "
                "tokenizer.convert_tokens_to_ids(tokens)."
            )
        if got == expected:
            continue
        if other and got == list(bert(text)["input_ids"]):
            return fail(
                f"encode({text!r}, tokenizer){where} returned bert-base-uncased's ids: it ignores the "
                "tokenizer it is given; use the `tokenizer` argument, not the notebook's global one."
            )
        if got == expected[1:-1]:
            return fail(
                f"encode({text!r}){where} lacks the special tokens: tokenize() adds none, so put "
                f"tokenizer.cls_token_id ({expected[0]}) first and tokenizer.sep_token_id "
                f"({expected[-1]}) last."
            )
        if got[1:-1] == expected[1:-1] and len(got) == len(expected):
            return fail(
                f"encode({text!r}){where} starts/ends with {got[0]}/{got[-1]}, expected {expected[0]} "
                f"({tokenizer.cls_token}) and {expected[-1]} ({tokenizer.sep_token}): take them from "
                "tokenizer.cls_token_id and tokenizer.sep_token_id, never as numbers (each vocabulary "
                "numbers its special tokens its own way)."
            )
        position = next(
            (i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected))
        )
        return fail(
            f"encode({text!r}){where} gave {got}, expected {expected} (tokenizer(text)['input_ids']); "
            f"they first differ at position {position}."
        )
    return None


PADDED_TEXT = "Let's go!"  # decoded as the short row of a padded batch: it ends with [PAD]s, not [SEP]


def _check_decode(decode: Callable[[list[int], Any], str], tokenizer: Any, bert: Any) -> CheckResult | None:
    other = bert is not None and tokenizer is not bert
    where = f" (a tokenizer of another vocabulary: [CLS] = {tokenizer.cls_token_id})" if other else ""
    cases = [list(tokenizer(text)["input_ids"]) for text in ROUND_TRIP_CASES]
    cases.append(list(tokenizer([PADDED_TEXT, ROUND_TRIP_CASES[2]], padding=True)["input_ids"][0]))
    for ids in cases:
        expected = tokenizer.decode(ids, skip_special_tokens=True)
        got = decode(list(ids), tokenizer)
        if isinstance(got, list):
            return fail(
                f"decode(...) returned a list {got[:4]}...; return one string (tokenizer.decode gives it)."
            )
        if not isinstance(got, str):
            return fail(f"decode(...) returned {type(got).__name__}; return a string.")
        if got == expected:
            continue
        if other and got == bert.decode(ids, skip_special_tokens=True):
            return fail(
                f"decode({ids}, tokenizer){where} gave {got!r}: it ignores the tokenizer it is given and "
                "reads the ids with bert-base-uncased's vocabulary; use the `tokenizer` argument."
            )
        specials = [t for t in tokenizer.all_special_tokens if t in got]
        if specials and got == tokenizer.decode(ids[1:-1]):
            return fail(
                f"decode({ids}){where} gave {got!r}: dropping the first and the last id is not enough "
                "(a padded row ends with [PAD]s); skip_special_tokens=True drops every special token, "
                "wherever it is."
            )
        if specials:
            return fail(
                f"decode(...){where} gave {got!r}: it still shows {specials}; pass "
                "skip_special_tokens=True (it knows each vocabulary's special tokens)."
            )
        cleaned = tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=True)
        if got == cleaned != expected:
            return fail(
                f"decode(...) gave {got!r}, expected {expected!r}: you passed "
                "clean_up_tokenization_spaces=True; this exercise wants decode's default for it (False "
                "in transformers 5)."
            )
        if "##" in got:
            return fail(
                f"decode(...) gave {got!r}: joining tokens with spaces leaves the '##' pieces apart; "
                "tokenizer.decode (or convert_tokens_to_string) glues them back onto their word."
            )
        return fail(
            f"decode(...){where} gave {got!r}, expected {expected!r}: the text of these ids read "
            "with the tokenizer given, special tokens left out."
        )
    return None


@register(
    "tokenizers_round_trip",
    hints=(
        "Section 6, Encoding, and its part 'Special tokens': tokenize + convert_tokens_to_ids give the ids "
        "without [CLS] and [SEP]; section 7, Decoding, for the way back.",
        "On the tokenizer you are given: tokenize, convert_tokens_to_ids and the cls_token_id / "
        "sep_token_id attributes; for the way back, decode and its option that leaves special tokens out.",
    ),
)
def check_round_trip(
    encode: Callable[[str, Any], list[int]], decode: Callable[[list[int], Any], str], tokenizer: Any = None
) -> CheckResult:
    """encode(text, tokenizer) == tokenizer(text)['input_ids'] built by hand; decode(ids, tokenizer)
    drops the special tokens. Run with `tokenizer` (default: bert-base-uncased) and with
    `other_wordpiece(OTHER_WORDS)`, whose special-token ids differ."""
    if tokenizer is None:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
    other = other_wordpiece(OTHER_WORDS)
    for current in (tokenizer, other):
        for problem in (_check_encode(encode, current, tokenizer), _check_decode(decode, current, tokenizer)):
            if problem is not None:
                return problem
    text = ROUND_TRIP_CASES[2]
    back = decode(encode(text, tokenizer), tokenizer)
    why = []
    if back.lower() != back or text.lower() != text:
        why.append("lowercased by the uncased vocabulary")
    if " ' " in back:
        why.append(
            "spaces around the apostrophe, since decode's clean_up_tokenization_spaces is off by "
            "default in transformers 5"
        )
    note = "the same text" if back == text else f"{back!r}: " + ", and ".join(why or ["not the original"])
    return success(
        "encode and decode agree with the tokenizer, also with a WordPiece tokenizer of another "
        f"vocabulary ([CLS] = {other.cls_token_id}, [SEP] = {other.sep_token_id}); the round trip of "
        f"{text!r} gives {note}."
    )


# tokenizers_try_ids -----------------------------------------------------------------------------
# "Try it out!" of the course's section 2/4: the two sentences of section 2/2 through tokenize and
# convert_tokens_to_ids, compared with the ids the notebook computed before. Those two methods are the
# API of the task: nothing is switched off; the one-call encoding (which would also give these ids) is
# watched, as in the round trip.

TRY_WORDS = ("waiting", "course", "hate", "this", "so", "much", "my", "life", "the", "film")
TRY_TEXTS = ("Waiting for the film, my whole life!", "Tokenizers cut words into pieces.", "so much")


def _ids_problem(
    got: Any, want: list[list[int]], texts: list[str], tokenizer: Any, where: str
) -> CheckResult | None:
    """None when `got` is `want` (one list of ids per text), else what is wrong."""
    if hasattr(got, "tolist"):
        return fail(f"{where}: a {type(got).__name__}; expected a list with one list of ids per sentence")
    if not isinstance(got, list) or len(got) != len(texts):
        size = f" of {len(got)} items" if isinstance(got, list) else ""
        return fail(
            f"{where}: expected a list with one list of ids per sentence ({len(texts)}), "
            f"got {type(got).__name__}{size}"
        )
    for number, (mine, ids, text) in enumerate(zip(got, want, texts), start=1):
        if not isinstance(mine, list) or not all(isinstance(i, int) for i in mine):
            kinds = (
                sorted({type(i).__name__ for i in mine}) if isinstance(mine, list) else type(mine).__name__
            )
            return fail(f"{where}, sentence {number}: expected a list of int ids, got {kinds}")
        if mine == ids:
            continue
        if len(mine) == len(ids) + 2 and mine[1:-1] == ids:
            first, last = tokenizer.convert_ids_to_tokens([mine[0], mine[-1]])
            return fail(
                f"{where}, sentence {number}: two ids more than expected, "
                f"one at each end ({first} ... {last})"
            )
        unk = tokenizer.unk_token_id
        if unk is not None and mine.count(unk) > ids.count(unk):
            return fail(
                f"{where}, sentence {number} ({text!r}): {mine.count(unk)} unknown token(s) "
                f"({tokenizer.unk_token}), where the tokenizer's own tokens are all in its vocabulary"
            )
        return fail(f"{where}, sentence {number} ({text!r}): the ids {mine} differ from {ids}")
    return None


@register(
    "tokenizers_try_ids",
    hints=(
        "Section 6, Encoding: the two steps from text to ids, one sentence at a time.",
        "Two methods of the tokenizer you are given: tokenize, then convert_tokens_to_ids on its result.",
    ),
)
def check_tokenize_convert(
    ids_by_hand: Callable[[list[str], Any], list[list[int]]],
    sentences: list[str],
    earlier_ids: list[list[int]],
    tokenizer: Any,
) -> CheckResult:
    """`ids_by_hand(sentences, tokenizer)` gives the ids the notebook computed before (`earlier_ids`, the
    tokenizer's one call without special tokens), and the same two steps with a WordPiece tokenizer of
    another vocabulary and with BERT's tokens under reversed ids, on other texts."""
    problem = not_a_function("ids_by_hand", ids_by_hand, "(sentences, tokenizer)")
    if problem is not None:
        return problem
    cases = [("with the course's two sentences", list(sentences), tokenizer, [list(i) for i in earlier_ids])]
    for where, tok in (
        ("with a WordPiece tokenizer of another vocabulary", other_wordpiece(TRY_WORDS)),
        ("with BERT's tokens under other ids", reversed_ids_tokenizer(tokenizer)),
    ):
        texts = list(TRY_TEXTS)
        cases.append(
            (
                f"{where} and the texts {texts}",
                texts,
                tok,
                [tok.convert_tokens_to_ids(tok.tokenize(t)) for t in texts],
            )
        )
    for where, texts, tok, want in cases:
        with one_call_encoding() as used:
            got = ids_by_hand(list(texts), tok)
        if used:
            return fail(
                f"{where}: ids_by_hand calls {used[0]}, the one-call encoding; the task takes the two "
                "steps of section 6 one by one"
            )
        problem = _ids_problem(got, want, texts, tok, where)
        if problem is not None:
            if where.startswith("with the course"):
                problem.message += " (the ids computed before, section2_ids)"
            return problem
    return success(
        "tokenize + convert_tokens_to_ids give the ids computed before, for any tokenizer: the tokenizer's "
        "one call adds only the special tokens (and the mask)"
    )


# tokenizers_pairs -----------------------------------------------------------------------------------
# Part 2 of #19: the learner writes the tokenizer call the course teaches (2/3's Encoding text, 2/6), on
# pairs of texts, judged on other pairs, lengths and a tokenizer with other ids.

PAIR_CASES = (
    (("Is it raining?", "Where is the station?"), ("Yes, since this morning.", "Two streets from here."), 16),
    (
        ("Who wrote it?", "Why?"),
        ("A long answer that goes on and on, far beyond what the model is given.", "No."),
        12,
    ),
)


def _pair_problem(
    batch: Any, firsts: list[str], seconds: list[str], tokenizer: Any, max_length: int, where: str
) -> CheckResult | None:
    """None when `batch` is the padded, truncated PyTorch encoding of the pairs, else what is wrong."""
    import torch

    if not hasattr(batch, "keys") or "input_ids" not in batch:
        return fail(f"{where}: expected the tokenizer's output with input_ids, got {type(batch).__name__}")
    ids = batch["input_ids"]
    if not isinstance(ids, torch.Tensor):
        return fail(f"{where}: input_ids is a {type(ids).__name__}, not a PyTorch tensor")
    options = dict(padding=True, truncation=True, max_length=max_length, return_tensors="pt")
    want = tokenizer(list(firsts), list(seconds), **options)
    if ids.dim() != 2 or ids.shape[0] != len(firsts):
        rows = ids.shape[0] if ids.dim() == 2 else ids.dim()
        if ids.dim() == 2 and rows == 2 * len(firsts):
            return fail(f"{where}: {rows} rows for {len(firsts)} pairs; each text has a row of its own")
        return fail(
            f"{where}: input_ids of shape {list(ids.shape)}; expected one row per pair ({len(firsts)})"
        )
    if ids.shape[1] > max_length:
        return fail(f"{where}: rows of {ids.shape[1]} tokens, longer than max_length={max_length}")
    joined = tokenizer([f"{a} {b}" for a, b in zip(firsts, seconds)], **options)["input_ids"]
    if ids.shape == joined.shape and torch.equal(ids, joined) and not torch.equal(joined, want["input_ids"]):
        return fail(
            f"{where}: each row holds the two texts joined into one: a single {tokenizer.sep_token} at "
            "the end, and no second segment"
        )
    if ids.shape != want["input_ids"].shape:
        return fail(
            f"{where}: input_ids of shape {list(ids.shape)}; the pairs, padded to the longest and cut at "
            f"max_length={max_length}, give {list(want['input_ids'].shape)}"
        )
    if not torch.equal(ids, want["input_ids"]):
        number = int((ids != want["input_ids"]).any(dim=1).nonzero()[0]) + 1
        return fail(f"{where}: row {number} differs from this tokenizer's encoding of pair {number}")
    for key in ("token_type_ids", "attention_mask"):
        if key not in want:  # a tokenizer that returns no segment ids (one built from a tokenizer object)
            continue
        mine = batch.get(key) if hasattr(batch, "get") else None
        if mine is None or not torch.equal(torch.as_tensor(mine).long(), want[key]):
            return fail(f"{where}: {key} is missing or differs from the tokenizer's for these pairs")
    return None


@register(
    "tokenizers_pairs",
    hints=(
        "Notebook 2, Encoding text: two texts given to one call become one row with two segments; "
        "notebook 1, section 2, for padding and truncation.",
        "The tokenizer you are given, called once with the list of first texts and the list of second "
        "texts, plus its options for padding, truncation, the maximum length and PyTorch tensors.",
    ),
)
def check_pairs(
    encode_pairs: Callable[..., Any], firsts: list[str], seconds: list[str], tokenizer: Any, max_length: int
) -> CheckResult:
    """`encode_pairs(firsts, seconds, tokenizer, max_length)` is one padded, truncated PyTorch batch of the
    pairs, with their token_type_ids: on the notebook's pairs, on other pairs (one second text far longer
    than max_length) and with BERT's tokens under other ids."""
    problem = not_a_function("encode_pairs", encode_pairs, "(firsts, seconds, tokenizer, max_length)")
    if problem is not None:
        return problem
    cases = [("with the notebook's pairs", list(firsts), list(seconds), tokenizer, max_length)]
    for number, (a, b, length) in enumerate(PAIR_CASES):
        tok = tokenizer if number == 0 else reversed_ids_tokenizer(tokenizer)
        which = "and the notebook's tokenizer" if number == 0 else "and BERT's tokens under other ids"
        cases.append(
            (f"with the pairs {list(zip(a, b))}, max_length={length} {which}", list(a), list(b), tok, length)
        )
    for where, a, b, tok, length in cases:
        problem = _pair_problem(encode_pairs(list(a), list(b), tok, length), a, b, tok, length, where)
        if problem is not None:
            return problem
    return success(
        "one row per pair, [CLS] first [SEP] second [SEP] with token_type_ids 0 then 1, padded and cut at "
        "max_length, as PyTorch tensors, for any tokenizer"
    )
