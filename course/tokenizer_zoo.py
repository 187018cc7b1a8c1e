"""Small tokenizers trained on the spot, and the simple word and character tokenizers of chapter 2.

Offline there is no gpt2, bert-base-cased or xlnet vocabulary on this machine, only bert-base-uncased's
WordPiece (through its stand-in). To show what the other algorithms produce, `train_bpe`,
`train_unigram` and `train_wordpiece` train *small* tokenizers of the same families with the
`tokenizers` library, in a few seconds, on a few thousand GLUE sentences. They are NOT the original
vocabularies: same algorithm, same conventions (`Ġ`, `▁`, `##`), but a much smaller vocabulary learned
from much less text, so they split more words into pieces than the real ones do.

Training is deterministic: the same texts and vocabulary size give the same vocabulary and ids.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

WORD_PATTERN = re.compile(r"\w+|[^\w\s]")
BPE_SPECIALS = ("<|endoftext|>",)
UNIGRAM_SPECIALS = ("<unk>", "<pad>", "<s>", "</s>")
WORDPIECE_SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


# --- training text ------------------------------------------------------------------------------


def corpus(task: str = "mrpc", n: int | None = 4000, seed: int = 0, split: str = "train") -> list[str]:
    """`n` sentences of a GLUE task (all of them when n is None), shuffled with `seed`.

    MRPC gives both sentences of each pair. Loaded with `load_dataset("nyu-mll/glue", task)`: the Hub
    online, the course's offline copy after `course.setup()` offline.
    """
    from course.data import GLUE_TASKS

    columns = GLUE_TASKS[task][0]
    data = _load_glue_quietly(task)[split].shuffle(seed=seed)
    texts = [text for column in columns for text in data[column]]
    if n is not None:
        texts = texts[:n]
    return texts


@functools.lru_cache(maxsize=4)
def _load_glue_quietly(task: str):
    """`load_dataset("nyu-mll/glue", task)` once per task."""
    from datasets import load_dataset

    return load_dataset("nyu-mll/glue", task)


# --- trained tokenizers -------------------------------------------------------------------------


def _wrap(backend, **special_tokens: str):
    """A transformers fast tokenizer around a `tokenizers.Tokenizer` (tokenize, ids, decode ...)."""
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(tokenizer_object=backend, **special_tokens)


def train_bpe(texts: Iterable[str], vocab_size: int = 4000, min_frequency: int = 2):
    """Train a byte-level BPE tokenizer, the GPT-2 recipe, on `texts` (NOT GPT-2's vocabulary).

    Like GPT-2: no normalization (case kept), a byte-level pre-tokenizer that turns a space into
    `Ġ` at the start of the next word, the 256 byte symbols as the starting alphabet (so there is
    never an unknown token) and `<|endoftext|>` as the only special token. GPT-2 learned 50,257
    tokens from 40 GB of web text; this one learns `vocab_size` from a few thousand sentences.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=list(BPE_SPECIALS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(list(texts), trainer)
    return _wrap(backend, bos_token=BPE_SPECIALS[0], eos_token=BPE_SPECIALS[0])


def train_unigram(texts: Iterable[str], vocab_size: int = 4000):
    """Train a Unigram tokenizer, the SentencePiece recipe of XLNet, ALBERT and T5 (NOT their vocabulary).

    Like SentencePiece: NFKC normalization, case kept, spaces become `▁` at the start of a piece,
    and `<unk>` for characters never seen in training. The vocabulary is re-sorted by score, then
    alphabetically, so that the token ids do not depend on thread timing during training.
    """
    import json

    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

    backend = Tokenizer(models.Unigram())
    backend.normalizer = normalizers.NFKC()
    backend.pre_tokenizer = pre_tokenizers.Metaspace()
    backend.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(
        vocab_size=vocab_size,
        special_tokens=list(UNIGRAM_SPECIALS),
        unk_token=UNIGRAM_SPECIALS[0],
        show_progress=False,
    )
    backend.train_from_iterator(list(texts), trainer)
    learned = json.loads(backend.to_str())["model"]["vocab"]
    specials = [(token, 0.0) for token in UNIGRAM_SPECIALS]
    pieces = sorted(
        ((p, round(s, 6)) for p, s in learned if p not in UNIGRAM_SPECIALS),
        key=lambda item: (-item[1], item[0]),
    )
    backend.model = models.Unigram(specials + pieces, unk_id=0, byte_fallback=False)
    return _wrap(backend, unk_token="<unk>", pad_token="<pad>", bos_token="<s>", eos_token="</s>")


_CONTINUATION = 0xF0000  # a private-use plane: "a" inside a word is trained as chr(0xF0000 + ord("a"))


def train_wordpiece(texts: Iterable[str], vocab_size: int = 4000, lowercase: bool = True):
    """Train a WordPiece tokenizer, the BERT recipe, on `texts` (NOT bert-base-uncased's vocabulary).

    Like BERT: lowercasing (with `lowercase=True`), split on spaces and punctuation, `##` before a
    piece that continues a word, `[UNK]` for a word it cannot build, and `[CLS] ... [SEP]` around
    each text. Like the `tokenizers` library's own WordPieceTrainer, the vocabulary is learned with
    BPE merges; here a character inside a word is first written as a private-use character so that
    the trainer's ids, and with them the tie-breaks between equally frequent merges, are the same in
    every run (the library's trainer picks different pieces from one run to the next).
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

    normalizer = normalizers.BertNormalizer(lowercase=lowercase)
    pre_tokenizer = pre_tokenizers.BertPreTokenizer()

    def marked_words(text: str) -> list[str]:
        words = [word for word, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text))]
        return [
            word[0] + "".join(chr(_CONTINUATION + ord(c)) for c in word[1:])
            for word in words
            if word and all(ord(c) < _CONTINUATION for c in word)
        ]

    marked = [" ".join(marked_words(text)) for text in texts]
    alphabet = sorted({c for line in marked for c in line if not c.isspace()})
    learner = Tokenizer(models.BPE())
    learner.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    learner.train_from_iterator(
        marked,
        trainers.BpeTrainer(
            vocab_size=vocab_size - len(WORDPIECE_SPECIALS), initial_alphabet=alphabet, show_progress=False
        ),
    )

    def unmark(piece: str) -> str:
        plain = "".join(chr(ord(c) - _CONTINUATION) if ord(c) >= _CONTINUATION else c for c in piece)
        return "##" + plain if ord(piece[0]) >= _CONTINUATION else plain

    learned = sorted(learner.get_vocab().items(), key=lambda item: item[1])
    vocab = {token: i for i, token in enumerate(WORDPIECE_SPECIALS)}
    for piece, _ in learned:
        vocab.setdefault(unmark(piece), len(vocab))
    backend = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    backend.normalizer = normalizer
    backend.pre_tokenizer = pre_tokenizer
    backend.decoder = decoders.WordPiece()
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    backend.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    return _wrap(
        backend,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )


# --- the simple tokenizers of the chapter (reference answers of the exercises) -------------------


def word_tokenize(text: str) -> list[str]:
    """Lowercase, then split into words and punctuation marks: "Don't!" -> ['don', "'", 't', '!']."""
    return WORD_PATTERN.findall(text.lower())


def char_tokenize(text: str) -> list[str]:
    """Lowercase, then one token per character, whitespace left out: "Hi you" -> ['h', 'i', 'y', 'o', 'u']."""
    return [character for character in text.lower() if not character.isspace()]


def build_vocab(
    tokenize: Callable[[str], list[str]], texts: Iterable[str], max_size: int | None = None
) -> set[str]:
    """The tokens seen in `texts`; with `max_size`, only the most frequent ones (ties: alphabetical)."""
    counts = Counter(token for text in texts for token in tokenize(text))
    ranked = sorted(counts, key=lambda token: (-counts[token], token))
    return set(ranked if max_size is None else ranked[:max_size])


def vocab_stats(
    tokenize: Callable[[str], list[str]],
    train_texts: Sequence[str],
    test_texts: Sequence[str],
    max_size: int | None = None,
) -> dict[str, float]:
    """Vocabulary size (learned on `train_texts`), unknown rate and tokens per text (on `test_texts`).

    unk_rate: the fraction of the test *tokens* (not distinct tokens) that are not in the vocabulary.
    """
    vocab = build_vocab(tokenize, train_texts, max_size)
    tokenized = [tokenize(text) for text in test_texts]
    total = sum(len(tokens) for tokens in tokenized)
    unknown = sum(token not in vocab for tokens in tokenized for token in tokens)
    return {
        "vocab_size": len(vocab),
        "unk_rate": unknown / max(total, 1),
        "tokens_per_text": total / max(len(test_texts), 1),
    }


def subword_stats(tokenizer: Any, test_texts: Sequence[str]) -> dict[str, float]:
    """The same three numbers for a subword tokenizer: its fixed vocabulary, the share of its unknown id.

    A byte-level BPE has no unknown token at all: any text can be written with its 256 byte symbols.
    """
    encoded = [tokenizer(text, add_special_tokens=False)["input_ids"] for text in test_texts]
    total = sum(len(ids) for ids in encoded)
    unk = tokenizer.unk_token_id
    unknown = sum(i == unk for ids in encoded for i in ids) if unk is not None else 0
    return {
        "vocab_size": len(tokenizer),
        "unk_rate": unknown / max(total, 1),
        "tokens_per_text": total / max(len(test_texts), 1),
    }


def yours_or_reference(
    yours: Callable[..., Any] | None,
    reference: Callable[..., Any],
    name: str,
    probe: tuple = ("Hello, world!",),
) -> Callable[..., Any]:
    """The learner's function when it runs, else the course's reference one (with a note).

    Lets the cells after an exercise run in the student notebook before the exercise is solved.
    """
    if yours is not None:
        try:
            yours(*probe)
            return yours
        except NotImplementedError:
            pass
        except Exception as error:  # noqa: BLE001 - any crash: fall back, but say why
            print(f"[course] your {name} raised {type(error).__name__}: {error}")
    print(f"[course] {name} is not written yet: the cells below use the course's reference version.")
    return reference
