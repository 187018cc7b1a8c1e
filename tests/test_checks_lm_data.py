"""The checks of "Preparing data for language modeling": each fed a right answer and realistic wrong ones.

The last test proves that every failure message of course.checks.lm_data is reached by one of them.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from message_coverage import assert_every_failure_reached

import course.checks.lm_data
from course.checks import lm_data as lm
from course.checks import run_check
from course.checks.shortcuts import ShortcutUsed

# ---------------------------------------------------------------- group_texts


def _concat(examples):
    return {key: [t for row in rows for t in row] for key, rows in examples.items()}


def _cut(values, size, total):
    return [values[i : i + size] for i in range(0, total, size)]


def right_group_texts(examples, block_size):
    """A learner's right answer (the course's reference is switched off while a check runs)."""
    concatenated = _concat(examples)
    total = len(concatenated["input_ids"]) // block_size * block_size
    result = {key: _cut(values, block_size, total) for key, values in concatenated.items()}
    result["labels"] = [list(chunk) for chunk in result["input_ids"]]
    return result


def group_per_example(examples, block_size):
    """Wrong: chunks each example on its own (drops every example's tail)."""
    result = {
        k: [row[i : i + block_size] for row in rows for i in range(0, len(row) - block_size + 1, block_size)]
        for k, rows in examples.items()
    }
    result["labels"] = [list(c) for c in result["input_ids"]]
    return result


def group_per_example_keep_tails(examples, block_size):
    """Wrong: chunks each example on its own and keeps every short tail."""
    result = {
        k: [row[i : i + block_size] for row in rows for i in range(0, len(row), block_size)]
        for k, rows in examples.items()
    }
    result["labels"] = [list(c) for c in result["input_ids"]]
    return result


def group_keep_remainder(examples, block_size):
    """Wrong: keeps a short last chunk."""
    cat = _concat(examples)
    result = {k: _cut(v, block_size, len(v)) for k, v in cat.items()}
    result["labels"] = [list(c) for c in result["input_ids"]]
    return result


def group_pad_remainder(examples, block_size):
    """Wrong: pads the remainder with 0 ([PAD])."""
    cat = {k: v + [0] * (-len(v) % block_size) for k, v in _concat(examples).items()}
    result = {k: _cut(v, block_size, len(v)) for k, v in cat.items()}
    result["labels"] = [list(c) for c in result["input_ids"]]
    return result


def group_drop_start(examples, block_size):
    """Wrong: drops the remainder from the start of the stream."""
    cat = _concat(examples)
    skip = len(cat["input_ids"]) % block_size
    result = {k: _cut(v[skip:], block_size, len(v) - skip) for k, v in cat.items()}
    result["labels"] = [list(c) for c in result["input_ids"]]
    return result


def group_overlapping(examples, block_size):
    """Wrong: a sliding window with stride 1 (full chunks, but tokens repeated)."""
    cat = _concat(examples)
    n = len(cat["input_ids"])
    result = {k: [v[i : i + block_size] for i in range(0, n - block_size + 1)] for k, v in cat.items()}
    result["labels"] = [list(c) for c in result["input_ids"]]
    return result


def group_shuffled_chunks(examples, block_size):
    """Wrong: right chunks in reversed order."""
    result = right_group_texts(examples, block_size)
    return {k: v[::-1] for k, v in result.items()}


def group_fixed_size(examples, block_size):
    """Wrong: ignores block_size."""
    return right_group_texts(examples, 8)


def group_no_labels(examples, block_size):
    result = right_group_texts(examples, block_size)
    del result["labels"]
    return result


def group_ids_only(examples, block_size):
    return right_group_texts({"input_ids": examples["input_ids"]}, block_size)


def group_fixed_columns(examples, block_size):
    """Wrong: the three columns of a BERT tokenizer, whatever the batch has."""
    return right_group_texts(
        {k: examples[k] for k in ("input_ids", "token_type_ids", "attention_mask")}, block_size
    )


def group_misaligned_mask(examples, block_size):
    """Wrong: cuts token_type_ids differently from input_ids."""
    result = right_group_texts(examples, block_size)
    if "token_type_ids" in result:
        result["token_type_ids"] = [list(reversed(c)) for c in result["token_type_ids"]]
    return result


def group_shifted_labels(examples, block_size):
    """Wrong: shifts the labels itself (the model already does)."""
    result = right_group_texts(examples, block_size)
    result["labels"] = [c[1:] + [-100] for c in result["input_ids"]]
    return result


def group_flat_ids(examples, block_size):
    """Wrong: input_ids concatenated but not cut."""
    result = right_group_texts(examples, block_size)
    result["input_ids"] = [t for c in result["input_ids"] for t in c]
    return result


def group_with_course_reference(examples, block_size):
    """Wrong: the course's reference (reached as the notebook's later cell does) in place of the work."""
    return course.checks.lm_data.pick_group_texts(None)(examples, block_size)


def test_group_texts_right_answer_passes():
    result = run_check("lm_group_texts", right_group_texts)
    assert result.passed, result.message


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (group_per_example, "Concatenate all examples first"),
        (group_per_example_keep_tails, "every chunk must have exactly block_size"),
        (group_keep_remainder, "drop the remainder"),
        (group_pad_remainder, "padding the remainder"),
        (group_drop_start, "only the remainder at the end may be dropped"),
        (group_overlapping, "tokens are repeated"),
        (group_shuffled_chunks, "wrong order"),
        (group_fixed_size, "block_size you are given"),
        (group_no_labels, "no 'labels' column"),
        (group_ids_only, "group every column"),
        (group_fixed_columns, "for key in examples"),
        (group_misaligned_mask, "'token_type_ids' is not cut like input_ids"),
        (group_shifted_labels, "shifts them by one position itself"),
        (group_flat_ids, "each a list of token ids"),
        (lm.reference_group_texts, "calls the course's reference_group_texts"),
        (group_with_course_reference, "calls the course's reference_group_texts"),
        (lambda examples, block_size: right_group_texts(examples, 128), "not a fixed 128"),
        (lambda examples, block_size: list(examples["input_ids"]), "return a dict"),
        (right_group_texts(lm.VISIBLE_EXAMPLES, 4), "pass your function itself"),
    ],
)
def test_group_texts_mistakes_are_named(wrong, message):
    result = run_check("lm_group_texts", wrong)
    assert not result.passed
    assert message in result.message, result.message


def test_shortcuts_come_back_after_a_check(capsys):
    run_check("lm_group_texts", lm.reference_group_texts)
    assert lm.reference_group_texts(lm.VISIBLE_EXAMPLES, 4) == right_group_texts(lm.VISIBLE_EXAMPLES, 4)
    with pytest.raises(ShortcutUsed, match="reference_group_texts"), lm.own_work("group_texts"):
        lm.reference_group_texts(lm.VISIBLE_EXAMPLES, 4)
    assert lm.reference_group_texts(lm.VISIBLE_EXAMPLES, 4)["labels"]


def test_pick_group_texts(capsys):
    assert lm.pick_group_texts(group_keep_remainder) is lm.reference_group_texts
    assert "does not pass" in capsys.readouterr().out
    assert lm.pick_group_texts(right_group_texts) is right_group_texts
    assert "with your group_texts" in capsys.readouterr().out


def test_reference_group_texts_on_real_tokens(tokenizer):
    examples = dict(tokenizer(["a short sentence.", "another, slightly longer sentence here.", "end"]))
    result = lm.reference_group_texts(examples, 5)
    flat = [t for row in examples["input_ids"] for t in row]
    assert all(len(c) == 5 for c in result["input_ids"])
    assert [t for c in result["input_ids"] for t in c] == flat[: len(flat) // 5 * 5]
    assert result["labels"] == result["input_ids"]
    assert right_group_texts(examples, 5) == result


# ---------------------------------------------------------------- the causal LM loss


def _flat_ce(logits, labels, **kwargs):
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1), **kwargs)


def right_causal_lm_loss(logits, labels):
    return _flat_ce(logits[:, :-1], labels[:, 1:], ignore_index=-100)


def test_causal_loss_right_answer_passes():
    result = run_check("lm_causal_loss", right_causal_lm_loss)
    assert result.passed, result.message


def loss_with_transformers(logits, labels):
    """Wrong: transformers' one-call loss (what a causal model's forward uses)."""
    from transformers.loss.loss_utils import ForCausalLMLoss

    return ForCausalLMLoss(logits, labels, vocab_size=logits.size(-1))


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda lo, la: _flat_ce(lo, la), "its own token"),
        (lambda lo, la: _flat_ce(lo[:, 1:], la[:, :-1]), "wrong way"),
        (
            lambda lo, la: F.cross_entropy(lo.reshape(-1, lo.size(-1))[:-1], la.reshape(-1)[1:]),
            "shifted after flattening",
        ),
        (lambda lo, la: _flat_ce(lo[:, :-1], la[:, 1:], reduction="sum"), "sum over the 10 predicted"),
        (lambda lo, la: _flat_ce(lo[:, :-1], la[:, 1:].clamp(min=0)), "must not count"),
        (lambda lo, la: _flat_ce(lo[:, :-1], la[:, 1:]) * 2, "expected"),
        (lambda lo, la: "0.5 nats", "return the mean loss"),
        (loss_with_transformers, "ForCausalLMLoss"),
        (lm.reference_causal_lm_loss, "ready-made loss"),
        (lambda lo, la: course.checks.lm_data.reference_causal_lm_loss(lo, la), "ready-made loss"),
        (0.0, "pass your function itself"),
    ],
)
def test_causal_loss_mistakes_are_named(wrong, message):
    result = run_check("lm_causal_loss", wrong)
    assert not result.passed
    assert message in result.message, result.message


def test_causal_loss_shortcut_comes_back():
    from transformers.loss.loss_utils import ForCausalLMLoss

    logits, labels, _ = lm._loss_cases()
    run_check("lm_causal_loss", loss_with_transformers)
    loss = ForCausalLMLoss(logits, labels, vocab_size=logits.size(-1))
    assert torch.allclose(loss, lm.reference_causal_lm_loss(logits, labels), atol=1e-6)


def test_causal_loss_without_ignore_index_is_explained():
    def no_ignore(logits, labels):  # a -100 target makes cross_entropy raise without ignore_index
        return F.cross_entropy(
            logits[:, :-1].reshape(-1, logits.size(-1)), labels[:, 1:].reshape(-1), ignore_index=-1
        )

    result = run_check("lm_causal_loss", no_ignore)
    assert not result.passed and "ignore_index=-100" in result.message


def test_reference_causal_loss_matches_a_causal_model():
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=50, n_positions=16, n_embd=16, n_layer=1, n_head=2)).eval()
    ids = torch.randint(0, 50, (2, 10))
    with torch.no_grad():
        out = model(input_ids=ids, labels=ids)
    assert torch.allclose(out.loss, lm.reference_causal_lm_loss(out.logits, ids), atol=1e-5)


# ---------------------------------------------------------------- masking statistics


def masking_stats(batch, mask_token_id):
    input_ids, labels = batch["input_ids"], batch["labels"]
    selected = labels != -100
    n = int(selected.sum())
    masked = int(((input_ids == mask_token_id) & selected).sum())
    unchanged = int(((input_ids == labels) & selected).sum())
    return {
        "selected": n / labels.numel(),
        "mask": masked / n,
        "random": (n - masked - unchanged) / n,
        "unchanged": unchanged / n,
    }


def test_masking_stats_right_answer_passes():
    result = run_check("lm_masking_stats", masking_stats)
    assert result.passed, result.message


def _tweak(**changes):
    def wrong(batch, mask_token_id):
        stats = masking_stats(batch, mask_token_id)
        for key, change in changes.items():
            stats[key] = change(stats)
        return stats

    return wrong


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (_tweak(mask=lambda s: s["mask"] * s["selected"]), "fraction of all positions"),
        (_tweak(random=lambda s: s["random"] + s["mask"]), "also counts the [MASK] positions"),
        (_tweak(selected=lambda s: 1 - s["selected"]), "labels != -100"),
        (
            lambda batch, mask_token_id: {"selected": 0.15, "mask": 0.8, "random": 0.1, "unchanged": 0.1},
            "'selected' should be",
        ),
        (_tweak(unchanged=lambda s: 0.1), "measured on the batch"),
        (_tweak(random=lambda s: s["random"] / 2), "random otherwise"),
        (lambda batch, mask_token_id: masking_stats(batch, 103), "not with bert-base-uncased's 103"),
        (_tweak(**{k: (lambda s, k=k: 100 * s[k]) for k in ("mask", "random", "unchanged")}), "percentages"),
        (_tweak(mask=lambda s: f"{s['mask']:.0%}"), "should be a number"),
        (lambda batch, mask_token_id: (0.15, 0.8, 0.1, 0.1), "return a dict"),
        ("masking_stats", "pass your function itself"),
    ],
)
def test_masking_stats_mistakes_are_named(wrong, message):
    result = run_check("lm_masking_stats", wrong)
    assert not result.passed
    assert message in result.message, result.message


def test_collator_masks_about_15_percent(tokenizer):
    """The facts the notebook teaches, on the real collator: ~15 % of eligible tokens, 80/10/10."""
    from transformers import DataCollatorForLanguageModeling

    text = " ".join(["the quick brown fox jumps over the lazy dog"] * 200)
    ids = tokenizer(text)["input_ids"][1:-1]
    chunks = [{"input_ids": ids[i : i + 100]} for i in range(0, 1800, 100)]
    batch = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15, seed=0)(chunks)
    stats = masking_stats(batch, tokenizer.mask_token_id)
    assert 0.12 < stats["selected"] < 0.18
    assert 0.72 < stats["mask"] < 0.88 and stats["random"] < 0.18 and stats["unchanged"] < 0.18


# ---------------------------------------------------------------- prepare_lm_data (the libraries' calls)


def _prepare(tok_options=None, remove=True, batched=True, block=None, collator=None, result=None):
    from transformers import DataCollatorForLanguageModeling

    def prepare(corpus, tokenizer, grouper, block_size, masked):
        columns = corpus.column_names if remove else None
        tokenized = corpus.map(
            lambda b: tokenizer(b["sentence"], **(tok_options or {})), batched=True, remove_columns=columns
        )
        chunks = tokenized.map(grouper, batched=batched, fn_kwargs={"block_size": block or block_size})
        made = (
            collator(tokenizer, masked)
            if collator
            else DataCollatorForLanguageModeling(tokenizer, mlm=masked)
        )
        return result(chunks, made) if result else (chunks, made)

    return prepare


def _lm_verdict(answer, tokenizer):
    return _verdict_of(run_check("lm_prepare_data", answer, tokenizer, lm.reference_group_texts))


def _verdict_of(result):
    return result.passed, result.message


def test_prepare_lm_data_right_answer_passes(tokenizer):
    passed, message = _lm_verdict(_prepare(), tokenizer)
    assert passed, message


def _masked_by_hand(tokenizer, masked):
    def collate(rows):
        batch = tokenizer.pad(rows, return_tensors="pt")
        batch["labels"] = torch.where(batch["attention_mask"] == 1, batch["input_ids"], -100)
        batch["labels"][:, 1] = -100  # one selected position too few: labels differ from the originals
        return batch

    return collate


def _labels_copied(tokenizer):
    def collate(rows):
        batch = tokenizer.pad(rows, return_tensors="pt")
        batch["labels"] = batch["input_ids"].clone()  # no -100 on padding
        return batch

    return collate


def _labels_cut_unlike(chunks, made):
    return chunks.map(
        lambda b: {"attention_mask": [[0] * len(r) for r in b["attention_mask"]]}, batched=True
    ), made


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        (lambda corpus, tok, grouper, size, masked: corpus, "two results"),
        (lambda corpus, tok, grouper, size, masked: ({}, None), "Dataset.map was not called"),
        (_prepare(result=lambda chunks, made: (chunks[:], made)), "not a Dataset"),
        (_prepare(result=lambda chunks, made: (chunks.remove_columns(["labels"]), made)), "the columns"),
        (_prepare(block=128), "chunks of [128] tokens"),
        (_prepare(tok_options={"padding": True}), "[PAD] tokens"),
        (_prepare(tok_options={"truncation": True, "max_length": 8}), "that are not this tokenizer's"),
        (_prepare(result=_labels_cut_unlike), "is not cut like input_ids"),
        (_prepare(collator=lambda tok, masked: lambda rows: {"input_ids": rows}), "no input_ids and labels"),
        (
            _prepare(collator=lambda tok, masked: lm_collator(tok, not masked)),
            "differs from a causal-LM batch",
        ),
        (_prepare(collator=lambda tok, masked: _labels_copied(tok)), "labels differs from a causal-LM batch"),
        (
            _prepare(
                collator=lambda tok, masked: (
                    _masked_by_hand(tok, masked) if masked else lm_collator(tok, False)
                )
            ),
            "the masked-LM batch fails",
        ),
    ],
)
def test_prepare_lm_data_wrong_answers_fail(tokenizer, answer, needle):
    passed, message = _lm_verdict(answer, tokenizer)
    assert not passed and needle in message, message


def lm_collator(tokenizer, masked, probability=0.15):
    from transformers import DataCollatorForLanguageModeling

    return DataCollatorForLanguageModeling(tokenizer, mlm=masked, mlm_probability=probability)


def test_prepare_lm_data_without_batched_grouping_fails(tokenizer):
    def prepare(corpus, tok, grouper, block_size, masked):
        tokenized = corpus.map(lambda b: tok(b["sentence"]), remove_columns=corpus.column_names)
        return tokenized, lm_collator(tok, masked)

    passed, message = _lm_verdict(prepare, tokenizer)
    assert not passed and "without batched" in message, message


def test_mlm_properties_and_probe(tokenizer):
    probe = lm.lm_probe(_prepare(), lm.lm_corpus(5), tokenizer, lm.reference_group_texts, 16, True)
    assert probe["batched"] and all(value for key, value in probe["batch"].items() if key != "shape")
    probe = lm.lm_probe(_prepare(), lm.lm_corpus(5), tokenizer, lm.reference_group_texts, 16, False)
    assert probe["batch"]["labels"][0][-1] == -100 or probe["batch"]["input_ids"][0][-1] != 0
    features = lm._lm_features(tokenizer, lm.lm_corpus(5))
    assert "expected_shape" in lm.mlm_properties(
        {"input_ids": torch.zeros(2, 2), "labels": torch.zeros(2, 2)}, features, tokenizer
    )


def test_every_check_has_two_hint_levels():
    from course.checks.base import HINTS

    for name in ("lm_group_texts", "lm_causal_loss", "lm_masking_stats"):
        assert len(HINTS[name]) == 2 and all(len(hint) > 40 for hint in HINTS[name]), name


def test_every_failure_message_is_reached():
    """Last test of the file: every fail(...) of course.checks.lm_data ran in one of the tests above."""
    assert_every_failure_reached(course.checks.lm_data)
