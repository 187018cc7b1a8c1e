"""Other objects than the notebook's, for self-checks and hidden tests: inputs the learner has not seen.

A function that ignores its argument and reaches for the notebook's global, or hard-codes a number it read in
the notebook (BERT's [CLS] 101, [PAD] 0, 768, two labels), gives the right answer on the notebook's objects
only. Run on one of these, it shows:

- `other_wordpiece(words)`: a small WordPiece tokenizer of its own vocabulary; [CLS], [SEP], [PAD] are not
  BERT's ids (nor in BERT's order), and `model_max_length` is whatever you ask.
- `reversed_ids_tokenizer(tokenizer)`: the same tokenizer with its ids reversed: the same tokens and lengths,
  so that a batch of the wrong tokenizer differs in its ids only.
- `save_tiny_bert(folder)`: a small bare BERT checkpoint saved in a folder, other sizes than the stand-in's.
- `changed_classifier(model)`: a copy of a classifier with a new seeded head, other labels if you ask.

Each is built offline in milliseconds, deterministically; torch, transformers and tokenizers are imported
inside the functions, so that `import course` stays fast. Hidden tests pass their own words, labels and seeds.
"""

from __future__ import annotations

import copy
import json
import string
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BERT_IDS = {"cls": 101, "sep": 102, "pad": 0}


def other_wordpiece(
    words: Sequence[str], model_max_length: int = 512, special_names: dict[str, str] | None = None
) -> Any:
    """A fresh small uncased WordPiece tokenizer (transformers' BertTokenizer) whose ids are not BERT's.

    Its vocabulary: `words` (lowercased), then [UNK] [SEP] [PAD] [CLS] [MASK], then letters, digits (and
    their ## continuations) and punctuation, so that a text of other words is spelt in pieces and nothing
    ASCII is unknown. [SEP] is len(words) + 1, [PAD] len(words) + 2, [CLS] len(words) + 3 (BERT's: 102, 0,
    101). Each call returns a new object, so a function that changes its tokenizer cannot change the next
    case. About a millisecond. `special_names` renames special tokens (e.g. `{"cls_token": "<cls>"}`), so that
    code that writes the string "[CLS]" instead of reading `tokenizer.cls_token` shows.
    """
    from transformers import BertTokenizer

    pieces = string.ascii_lowercase + string.digits
    names = {"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]"}
    names = {**names, "mask_token": "[MASK]", **(special_names or {})}
    vocab: dict[str, int] = {}
    for token in [
        *(word.lower() for word in words),
        *names.values(),
        *pieces,
        *("##" + c for c in pieces),
        *string.punctuation,
    ]:
        vocab.setdefault(token, len(vocab))
    tokenizer = BertTokenizer(vocab=vocab, model_max_length=model_max_length, **names)
    if tokenizer.cls_token_id == BERT_IDS["cls"] or tokenizer.pad_token_id == BERT_IDS["pad"]:
        raise ValueError("choose another number of words: the special ids must differ from BERT's")
    return tokenizer


def reversed_ids_tokenizer(tokenizer: Any) -> Any:
    """`tokenizer` (a fast WordPiece tokenizer) with every id reversed: id -> vocabulary size - 1 - id.

    The same tokens, normalisation and special tokens, but other ids: [PAD] is not 0, [CLS] not 101, so
    code that hard-codes BERT's ids, or calls another tokenizer than the one it was given, shows. Built
    offline from the tokenizer's own JSON in about 0.1 s.
    """
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    data = json.loads(tokenizer.backend_tokenizer.to_str())
    size = len(data["model"]["vocab"])
    data["model"]["vocab"] = {token: size - 1 - i for token, i in data["model"]["vocab"].items()}
    for special in data["post_processor"]["special_tokens"].values():
        special["ids"] = [size - 1 - i for i in special["ids"]]
    for added in data["added_tokens"]:
        added["id"] = size - 1 - added["id"]
    data["padding"] = data["truncation"] = None  # transformers sets both per call
    names = ("unk_token", "sep_token", "pad_token", "cls_token", "mask_token")
    return PreTrainedTokenizerFast(
        tokenizer_object=Tokenizer.from_str(json.dumps(data)),
        **{name: getattr(tokenizer, name) for name in names},
    )


def save_tiny_bert(
    folder: str | Path,
    *,
    hidden_size: int = 64,
    num_layers: int = 4,
    num_heads: int = 4,
    vocab_size: int = 1000,
    seed: int = 0,
) -> Any:
    """Save a small bare BERT checkpoint (config.json + model.safetensors) into `folder`; return the model.

    Its sizes are not the stand-in's and its embeddings are scaled to a standard deviation of 1 (a
    fresh BERT's are 0.02), so a model that ignores the checkpoint it is given, or that loads weights
    where it should build random ones, shows. Deterministic for a given seed; about 0.1 s.
    """
    import torch
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=vocab_size,
        hidden_size=hidden_size,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        intermediate_size=2 * hidden_size,
        max_position_embeddings=64,
    )
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = BertModel(config)
    with torch.no_grad():
        model.get_input_embeddings().weight.normal_(0.0, 1.0, generator=torch.Generator().manual_seed(seed))
    model.save_pretrained(folder)
    return model.eval()


def changed_classifier(
    model: Any, labels: Sequence[str] | None = ("bad", "meh", "good"), seed: int = 0, scale: float = 0.2
) -> Any:
    """A copy of a sequence classifier with a new, seeded head of len(labels) classes and those names.

    `labels=None`: the model's own labels, so only the head's weights change (a model that exists in no
    checkpoint). The body is the model's; the head's weights are drawn from a seeded generator (the global
    random state is untouched), so the copy answers differently from the original. In evaluation mode.
    """
    import torch

    changed = copy.deepcopy(model)
    head = changed.classifier
    names = (
        list(labels) if labels is not None else [changed.config.id2label[i] for i in range(head.out_features)]
    )
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        weight = torch.randn(len(names), head.in_features, generator=generator) * scale
        bias = torch.randn(len(names), generator=generator) * scale
    with torch.random.fork_rng(devices=[]):  # Linear's own init draws from the global generator
        new_head = torch.nn.Linear(head.in_features, len(names))
    with torch.no_grad():
        new_head.weight.copy_(weight)
        new_head.bias.copy_(bias)
    changed.classifier = new_head
    if labels is not None:
        changed.config.num_labels = len(names)
        changed.config.id2label = dict(enumerate(names))
        changed.config.label2id = {label: i for i, label in enumerate(names)}
    return changed.eval()
