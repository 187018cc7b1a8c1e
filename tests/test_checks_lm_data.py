"""The checks of "Preparing data for language modeling": each fed a right answer and realistic wrong ones."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from course.checks import lm_data as lm
from course.checks import run_check


def _concat(examples):
    return {key: [t for row in rows for t in row] for key, rows in examples.items()}


def _cut(values, size, total):
    return [values[i : i + size] for i in range(0, total, size)]


def group_per_example(examples, block_size):
    """Wrong: chunks each example on its own (drops every example's tail)."""
    result = {
        k: [row[i : i + block_size] for row in rows for i in range(0, len(row) - block_size + 1, block_size)]
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


def group_shuffled_chunks(examples, block_size):
    """Wrong: right chunks in reversed order."""
    result = lm.reference_group_texts(examples, block_size)
    return {k: v[::-1] for k, v in result.items()}


def group_fixed_size(examples, block_size):
    """Wrong: ignores block_size."""
    return lm.reference_group_texts(examples, 8)


def group_no_labels(examples, block_size):
    result = lm.reference_group_texts(examples, block_size)
    del result["labels"]
    return result


def group_ids_only(examples, block_size):
    return lm.reference_group_texts({"input_ids": examples["input_ids"]}, block_size)


def group_misaligned_mask(examples, block_size):
    """Wrong: cuts attention_mask per example instead of from the concatenation."""
    result = lm.reference_group_texts(examples, block_size)
    result["token_type_ids"] = [list(reversed(c)) for c in result["token_type_ids"]]
    return result


def group_shifted_labels(examples, block_size):
    """Wrong: shifts the labels itself (the model already does)."""
    result = lm.reference_group_texts(examples, block_size)
    result["labels"] = [c[1:] + [-100] for c in result["input_ids"]]
    return result


def test_group_texts_right_answer_passes():
    assert run_check("lm_group_texts", lm.reference_group_texts).passed


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (group_per_example, "Concatenate all examples first"),
        (group_keep_remainder, "drop the remainder"),
        (group_pad_remainder, "padding the remainder"),
        (group_shuffled_chunks, "wrong order"),
        (group_fixed_size, "block_size you are given"),
        (group_no_labels, "no 'labels' column"),
        (group_ids_only, "group every column"),
        (group_misaligned_mask, "'token_type_ids' is not cut like input_ids"),
        (group_shifted_labels, "shifts them by one position itself"),
        (lambda examples, block_size: lm.reference_group_texts(examples, 128), "not a fixed 128"),
        (lambda examples, block_size: list(examples["input_ids"]), "return a dict"),
    ],
)
def test_group_texts_mistakes_are_named(wrong, message):
    result = run_check("lm_group_texts", wrong)
    assert not result.passed
    assert message in result.message, result.message


def test_pick_group_texts(capsys):
    assert lm.pick_group_texts(group_keep_remainder) is lm.reference_group_texts
    assert "does not pass" in capsys.readouterr().out
    assert lm.pick_group_texts(lm.reference_group_texts) is lm.reference_group_texts
    assert "with your group_texts" in capsys.readouterr().out


def test_reference_group_texts_on_real_tokens(tokenizer):
    examples = dict(tokenizer(["a short sentence.", "another, slightly longer sentence here.", "end"]))
    result = lm.reference_group_texts(examples, 5)
    flat = [t for row in examples["input_ids"] for t in row]
    assert all(len(c) == 5 for c in result["input_ids"])
    assert [t for c in result["input_ids"] for t in c] == flat[: len(flat) // 5 * 5]
    assert result["labels"] == result["input_ids"]


def test_causal_loss_right_answer_passes():
    assert run_check("lm_causal_loss", lm.reference_causal_lm_loss).passed


def _flat_ce(logits, labels, **kwargs):
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1), **kwargs)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda lo, la: _flat_ce(lo, la), "its own token"),
        (lambda lo, la: _flat_ce(lo[:, 1:], la[:, :-1]), "wrong way"),
        (lambda lo, la: _flat_ce(lo[:, :-1], la[:, 1:].clamp(min=0)), "must not count"),
        (lambda lo, la: _flat_ce(lo[:, :-1], la[:, 1:]) * 2, "expected"),
        (lambda lo, la: "0.5 nats", "return the mean loss"),
    ],
)
def test_causal_loss_mistakes_are_named(wrong, message):
    result = run_check("lm_causal_loss", wrong)
    assert not result.passed
    assert message in result.message, result.message


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
    assert run_check("lm_masking_stats", masking_stats).passed


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
        (lambda batch, mask_token_id: (0.15, 0.8, 0.1, 0.1), "return a dict"),
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
