"""The locally trained tokenizers (deterministic, the right conventions), the reference word/char
tokenizers and statistics, and the Tokenizers notebook's plot and explorer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from course import tokenizer_zoo as zoo

REPO = Path(__file__).resolve().parent.parent

TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "Using a Transformer network is simple.",
    "Tokenizers split text into words, subwords or characters.",
    "The company said its quarterly profit rose 12 percent.",
    "Shares of the company fell sharply on Tuesday.",
] * 40
SENTENCE = "Using a Transformer network is simple"


@pytest.fixture(scope="module")
def trained():
    return {
        "bpe": zoo.train_bpe(TEXTS, 300),
        "unigram": zoo.train_unigram(TEXTS, 200),
        "wordpiece": zoo.train_wordpiece(TEXTS, 300),
    }


def test_bpe_is_byte_level(trained):
    bpe = trained["bpe"]
    tokens = bpe.tokenize(SENTENCE)
    assert any(t.startswith("Ġ") for t in tokens)
    assert bpe.decode(bpe(SENTENCE)["input_ids"]) == SENTENCE  # case and spaces survive
    assert "<|endoftext|>" in bpe.all_special_tokens
    assert bpe.unk_token_id is None  # bytes cover everything
    assert bpe.decode(bpe("naïve 🤗")["input_ids"]) == "naïve 🤗"
    assert len(bpe) <= 300


def test_unigram_uses_metaspace_and_unk(trained):
    uni = trained["unigram"]
    tokens = uni.tokenize(SENTENCE)
    assert tokens[0].startswith("▁")
    assert uni.decode(uni(SENTENCE)["input_ids"]) == SENTENCE
    assert uni.convert_tokens_to_ids("<unk>") == 0 == uni.unk_token_id
    assert uni.unk_token_id in uni("🤗")["input_ids"]


def test_wordpiece_is_bert_like(trained):
    wp = trained["wordpiece"]
    ids = wp(SENTENCE)["input_ids"]
    assert wp.convert_ids_to_tokens(ids)[0] == "[CLS]" and wp.convert_ids_to_tokens(ids)[-1] == "[SEP]"
    assert any(t.startswith("##") for t in wp.tokenize("transformers tokenizers"))
    assert wp.decode(ids, skip_special_tokens=True) == SENTENCE.lower()
    assert wp.tokenize("🤗") == ["[UNK]"]


def _train_in_fresh_process() -> str:
    code = (
        "import json; from course import tokenizer_zoo as z; from tests.test_tokenizer_zoo import TEXTS;"
        "print(json.dumps([sorted(t.get_vocab().items()) for t in "
        "(z.train_bpe(TEXTS, 300), z.train_unigram(TEXTS, 200), z.train_wordpiece(TEXTS, 300))]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout


@pytest.mark.slow
def test_training_is_deterministic_across_processes(trained):
    first, second = _train_in_fresh_process(), _train_in_fresh_process()
    assert first == second
    here = json.dumps([sorted(t.get_vocab().items()) for t in trained.values()])
    assert json.loads(first) == json.loads(here)


def test_word_and_char_tokenize():
    assert zoo.word_tokenize("Don't stop!") == ["don", "'", "t", "stop", "!"]
    assert zoo.char_tokenize("Hi you") == ["h", "i", "y", "o", "u"]


def test_vocab_stats_counts_tokens_not_types():
    stats = zoo.vocab_stats(str.split, ["a b", "a c"], ["a z z", "b"])
    assert stats == {"vocab_size": 3, "unk_rate": 0.5, "tokens_per_text": 2.0}
    capped = zoo.vocab_stats(str.split, ["a b", "a c"], ["a z z", "b"], max_size=1)
    assert capped["vocab_size"] == 1 and capped["unk_rate"] == 0.75


def test_subword_stats(trained, tokenizer):
    stats = zoo.subword_stats(tokenizer, ["Using a Transformer network is simple 🤗"])
    assert stats["vocab_size"] == 30522
    assert stats["tokens_per_text"] == 8 and stats["unk_rate"] == 1 / 8
    assert zoo.subword_stats(trained["bpe"], ["🤗"])["unk_rate"] == 0


def test_corpus_is_seeded_and_hides_the_data_path(data_dir, capsys):
    first = zoo.corpus("mrpc", n=50, seed=3)
    assert len(first) == 50 and all(isinstance(t, str) for t in first)
    assert zoo.corpus("mrpc", n=50, seed=3) == first
    assert zoo.corpus("mrpc", n=50, seed=4) != first
    assert str(data_dir.resolve()) not in capsys.readouterr().out
    assert len(zoo.corpus("sst2", n=None, split="validation")) == 872


def test_yours_or_reference(capsys):
    def unanswered(text):
        raise NotImplementedError()

    assert zoo.yours_or_reference(unanswered, zoo.word_tokenize, "word_tokenize") is zoo.word_tokenize
    assert "not written yet" in capsys.readouterr().out
    assert zoo.yours_or_reference(str.split, zoo.word_tokenize, "word_tokenize") is str.split
    assert zoo.yours_or_reference(lambda t: 1 / 0, zoo.word_tokenize, "w") is zoo.word_tokenize
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_plot_comparison():
    import matplotlib

    matplotlib.use("Agg")
    from course.viz.tokenizers import plot_comparison

    stats = {
        "word": {"vocab_size": 10000, "unk_rate": 0.05, "tokens_per_text": 20},
        "char": {"vocab_size": 70, "unk_rate": 0.0, "tokens_per_text": 100},
    }
    fig = plot_comparison(stats)
    assert len(fig.axes) == 3
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["word", "char"]
    assert fig.axes[0].get_yscale() == "log"


def test_token_table_and_static_explorer(tokenizer, capsys):
    from course.viz.tokenizers import explorer, token_html, token_table

    table = token_table(tokenizer, SENTENCE)
    assert "##er" in table and "10938" in table and table.endswith("(9 tokens, 9 attended)")
    padded = token_table(tokenizer, "hello", max_length=6)
    assert "[PAD]" in padded and padded.endswith("(6 tokens, 3 attended)")
    assert "background:#eee" in token_html(tokenizer, "hello", max_length=6)
    assert explorer(tokenizer, SENTENCE) is None  # not in a notebook: the static table
    assert "transform" in capsys.readouterr().out
