"""The other objects of course.checks.other_objects: other ids, other sizes, other heads, deterministic."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import torch
from transformers import AutoConfig

from course.checks.other_objects import (
    changed_classifier,
    other_wordpiece,
    reversed_ids_tokenizer,
    save_tiny_bert,
)

SENTENCES = ["Transformers turn text into numbers.", "Great!"]
SENTIMENT = "distilbert-base-uncased-finetuned-sst-2-english"


@pytest.fixture(scope="module")
def sst2():
    """The sentiment checkpoint (offline, its SST-2 stand-in), in evaluation mode."""
    from transformers import AutoModelForSequenceClassification

    return AutoModelForSequenceClassification.from_pretrained(SENTIMENT).eval()


def test_other_wordpiece_has_its_own_ids():
    tok = other_wordpiece(["special", "tokens"], model_max_length=12)
    assert (tok.cls_token_id, tok.sep_token_id, tok.pad_token_id) == (5, 3, 4)
    ids = tok("Special tokens!")["input_ids"]
    assert ids[0] == tok.cls_token_id and ids[-1] == tok.sep_token_id and ids[1:3] == [0, 1]
    assert len(tok("word " * 40, truncation=True)["input_ids"]) == 12
    assert set(tok("a", "b")) == {"input_ids", "token_type_ids", "attention_mask"}
    assert tok.tokenize("tokenization") == [
        "t",
        "##o",
        "##k",
        "##e",
        "##n",
        "##i",
        "##z",
        "##a",
        "##t",
        "##i",
        "##o",
        "##n",
    ]
    assert tok.decode(tok("Let's go!")["input_ids"], skip_special_tokens=True) == "let ' s go!"


def test_other_wordpiece_is_a_fresh_object_each_time(tokenizer):
    first, second = other_wordpiece(["token", "##ization"]), other_wordpiece(["token", "##ization"])
    assert first is not second and first.get_vocab() == second.get_vocab()
    assert first.tokenize("Tokenization") == ["token", "##ization"]
    assert (first.cls_token_id, first.sep_token_id) != (tokenizer.cls_token_id, tokenizer.sep_token_id)


def test_other_wordpiece_refuses_berts_ids():
    with pytest.raises(ValueError, match="differ from BERT's"):
        other_wordpiece([f"w{i}" for i in range(98)])  # [CLS] would be 101


def test_reversed_ids_tokenizer_keeps_tokens_and_changes_ids(tokenizer):
    other = reversed_ids_tokenizer(tokenizer)
    size = len(tokenizer)
    assert other.pad_token_id == size - 1 != tokenizer.pad_token_id
    assert other.cls_token_id == size - 1 - tokenizer.cls_token_id
    mine, theirs = other(SENTENCES), tokenizer(SENTENCES)
    assert [other.convert_ids_to_tokens(r) for r in mine["input_ids"]] == [
        tokenizer.convert_ids_to_tokens(r) for r in theirs["input_ids"]
    ]
    assert mine["input_ids"][0][0] == size - 1 - 101


def test_save_tiny_bert_is_deterministic_and_not_the_standin():
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        first, second = save_tiny_bert(a, seed=3), save_tiny_bert(b, seed=3)
        assert sorted(p.name for p in Path(a).iterdir()) == ["config.json", "model.safetensors"]
        assert torch.equal(first.get_input_embeddings().weight, second.get_input_embeddings().weight)
        assert abs(float(first.get_input_embeddings().weight.detach().std()) - 1.0) < 0.05
        assert AutoConfig.from_pretrained(a).hidden_size == 64


def test_changed_classifier_keeps_the_original_and_the_random_state(sst2):
    state = torch.random.get_rng_state()
    changed = changed_classifier(sst2, labels=("a", "b", "c"), seed=3)
    assert torch.equal(state, torch.random.get_rng_state()), "the global generator was used"
    assert changed.config.id2label == {0: "a", 1: "b", 2: "c"} and changed.classifier.out_features == 3
    assert sst2.config.id2label == {0: "NEGATIVE", 1: "POSITIVE"} and sst2.classifier.out_features == 2
    again = changed_classifier(sst2, labels=("a", "b", "c"), seed=3)
    assert torch.equal(again.classifier.weight, changed.classifier.weight), "seeded"


def test_changed_classifier_without_labels_changes_only_the_heads_weights(sst2):
    changed = changed_classifier(sst2, labels=None)
    assert changed is not sst2 and not changed.training
    assert changed.config.id2label == sst2.config.id2label and changed.classifier.out_features == 2
    assert not torch.equal(changed.classifier.weight, sst2.classifier.weight)
    assert torch.equal(changed.get_input_embeddings().weight, sst2.get_input_embeddings().weight)
