"""course.explain turns the real exceptions of this stack (torch 2.13, transformers 5) into advice.

Every error here is raised for real, so a library that rewords its message breaks a test, not a learner.
"""

from __future__ import annotations

import importlib

import pytest
import torch

from course.explain import MISSING_MASK_HINT, explain, explain_batch


def _raised(function) -> BaseException:
    with pytest.raises(Exception) as info:
        function()
    return info.value


# --- 1-D input_ids and other shapes ----------------------------------------------------------------------
def test_one_dimensional_input_ids(classifier, tokenizer):
    ids = tokenizer.convert_tokens_to_ids(tokenizer.tokenize("I hate this so much!"))
    error = _raised(lambda: classifier(torch.tensor(ids)))
    assert "input_ids must be 2-D [batch, sequence]" in explain(error)
    assert "torch.tensor([ids])" in explain(error)


def test_python_list_instead_of_tensor(classifier, tokenizer):
    error = _raised(lambda: classifier(**tokenizer("I hate this so much!")))
    assert "tensors, not Python lists" in explain(error)


def test_float_ids(classifier):
    error = _raised(lambda: classifier(torch.tensor([[101.0, 102.0]])))
    assert "integer token ids (torch.long)" in explain(error)


def test_ragged_lists_cannot_form_a_tensor(tokenizer):
    error = _raised(lambda: torch.tensor([[101, 7592, 102], [101, 102]]))
    assert "cannot form one tensor" in explain(error)
    error = _raised(lambda: tokenizer(["Hi.", "A longer sentence."], return_tensors="pt"))
    assert "padding=True" in explain(error)


def test_sequence_longer_than_the_model(classifier):
    error = _raised(lambda: classifier(torch.ones(1, 600, dtype=torch.long)))
    assert "truncation=True" in explain(error) and "max_position_embeddings" in explain(error)
    long_batch = {"input_ids": torch.ones(1, 600, dtype=torch.long), "attention_mask": torch.ones(1, 600)}
    error = _raised(lambda: classifier(**long_batch))  # with its mask, the error is worded differently
    assert "truncation=True" in explain(error) and "max_position_embeddings" in explain(error), str(error)


# --- tokenizer / model vocabulary mismatch ---------------------------------------------------------------
def test_vocabulary_mismatch(classifier):
    too_big = classifier.config.vocab_size + 10  # e.g. an id from a larger vocabulary (another checkpoint)
    error = _raised(lambda: classifier(torch.tensor([[101, too_big, 102]])))
    assert isinstance(error, IndexError)
    assert "the tokenizer and the model come from different checkpoints" in explain(error)


# --- the missing attention mask: no exception, wrong numbers ---------------------------------------------
def test_missing_mask_is_explained_from_the_batch():
    ids = torch.tensor([[101, 7592, 102], [101, 102, 0]])
    assert explain_batch(ids, None, pad_token_id=0) == MISSING_MASK_HINT
    assert "row 1 attends to its padding" in explain_batch(ids, torch.ones_like(ids), pad_token_id=0)
    assert "one mask value per token" in explain_batch(ids, torch.ones(2, 2), pad_token_id=0)
    assert explain_batch(ids, (ids != 0).long(), pad_token_id=0) == ""
    assert explain_batch(torch.tensor([[101, 102]]), None) == ""  # nothing padded: no mask needed
    assert "2-D" in explain_batch(torch.tensor([101, 102]))


def test_missing_mask_warning_text():
    # the text transformers logs (modeling_utils.warn_if_padding_and_no_attention_mask) for some models
    warning = "We strongly recommend passing in an `attention_mask` since your input_ids may be padded."
    assert explain(warning) == MISSING_MASK_HINT


def test_missing_mask_changes_the_hidden_states(classifier):
    ids = torch.tensor([[1045, 5223, 2023, 2061, 2172, 999], [1045, 5223, 0, 0, 0, 0]])
    mask = (ids != 0).long()
    with torch.no_grad():
        alone = classifier.base_model(ids[1:, :2]).last_hidden_state
        masked = classifier.base_model(ids, attention_mask=mask).last_hidden_state[1:, :2]
        unmasked = classifier.base_model(ids).last_hidden_state[1:, :2]
    assert (masked - alone).abs().max() < 1e-4 < 0.1 < (unmasked - alone).abs().max()


# --- removed API names (transformers 5, datasets 5, huggingface_hub 2) -----------------------------------
@pytest.mark.parametrize(
    "module, name, advice",
    [
        ("transformers", "AdamW", "torch.optim.AdamW"),
        ("transformers", "TFAutoModelForSequenceClassification", "without the TF prefix"),
        ("datasets", "load_metric", "evaluate.load"),
        ("huggingface_hub", "HfFolder", "huggingface_hub.login"),
    ],
)
def test_removed_imports(module, name, advice):
    def do_import():
        exec(f"from {module} import {name}", {})

    assert advice in explain(_raised(do_import))
    if module == "transformers":  # transformers.AdamW raises AttributeError, with another message
        assert advice in explain(_raised(lambda: getattr(importlib.import_module(module), name)))


@pytest.mark.parametrize(
    "keyword, advice",
    [
        ({"evaluation_strategy": "epoch"}, "eval_strategy"),
        ({"no_cuda": True}, "use_cpu=True"),
        ({"warmup_ratio": 0.1}, "warmup_steps"),
    ],
)
def test_removed_training_arguments(tmp_path, keyword, advice):
    from transformers import TrainingArguments

    assert advice in explain(_raised(lambda: TrainingArguments(str(tmp_path), **keyword)))


def test_trainer_tokenizer_argument():
    from transformers import Trainer

    assert "processing_class=tokenizer" in explain(_raised(lambda: Trainer(model=None, tokenizer=None)))


def test_tensorflow_tensors(tokenizer):
    error = _raised(lambda: tokenizer(["Hi."], return_tensors="tf"))
    assert isinstance(error, ValueError)
    assert 'return_tensors="pt"' in explain(error)


# --- the function itself ---------------------------------------------------------------------------------
def test_unknown_error_gives_no_advice():
    assert explain(KeyError("something else entirely")) == ""


def test_course_explain_is_callable_after_the_module_is_imported():
    import course.explain  # binds the module to the name `course.explain`

    error = ValueError("not enough values to unpack (expected 2, got 1)")
    assert course.explain(error) == explain(error)
    assert course.explain(str(error)) == explain(error)


def _gpt2_tokenizer():
    from transformers import AutoTokenizer

    AutoTokenizer.from_pretrained("gpt2")


def _cola():
    from datasets import load_dataset

    load_dataset("glue", "cola")


def _rouge():
    import evaluate

    evaluate.load("rouge")


@pytest.mark.parametrize("load", [_gpt2_tokenizer, _cola, _rouge])
def test_offline_loading_errors_name_the_fix(load):
    """Names without an offline stand-in fail with the library's error; the advice names the fix."""
    with pytest.raises(Exception) as raised:
        load()
    advice = explain(raised.value)
    assert "offline" in advice and "stand-ins" in advice and "HF_ENDPOINT" in advice, str(raised.value)
