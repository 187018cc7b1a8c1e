"""course.checks.shortcuts: shortcuts switched off however they are reached, restored after; the watcher."""

from __future__ import annotations

import pytest

import course.checks.together as together
from course import tokenizer_zoo
from course.checks import run_check
from course.checks.shortcuts import (
    ShortcutUsed,
    calls_to,
    encoding_methods,
    methods,
    own_work_of,
    pipeline_methods,
    switched_off,
)


def test_switched_off_catches_aliases_earlier_imports_and_bound_methods(tokenizer):
    alias = tokenizer_zoo.word_tokenize
    bound = tokenizer.encode  # taken before the block: replacing the class attribute would miss it
    with pytest.raises(ShortcutUsed, match=r"^\[NOT YET\] no zoo$"), switched_off([alias], "no zoo"):
        alias("Hello")
    with pytest.raises(ShortcutUsed, match=r"^\[NOT YET\] no encoding$"):
        with switched_off(encoding_methods(tokenizer), "[NOT YET] no encoding"):  # one prefix, not two
            bound("Hello")
    assert tokenizer_zoo.word_tokenize("Hello!") == ["hello", "!"] and bound("Hello")[0] == 101, "restored"


def test_switched_off_restores_after_other_errors_and_lets_them_through():
    with pytest.raises(ValueError, match="other"), switched_off([tokenizer_zoo.char_tokenize], "no"):
        raise ValueError("other errors pass through")
    with pytest.raises(RuntimeError, match="mine"), switched_off([tokenizer_zoo.char_tokenize], "no"):
        raise RuntimeError("mine")
    assert tokenizer_zoo.char_tokenize("a b") == ["a", "b"]
    with switched_off([tokenizer_zoo.char_tokenize, tokenizer_zoo.char_tokenize], "twice"):
        pass
    assert tokenizer_zoo.char_tokenize("a b") == ["a", "b"], "a function listed twice is restored"


def test_pipelines_are_switched_off(classifier, tokenizer):
    from transformers import pipeline

    with pytest.raises(ShortcutUsed, match="no pipeline"), switched_off(pipeline_methods(), "no pipeline"):
        pipeline("text-classification", model=classifier, tokenizer=tokenizer)
    assert pipeline("text-classification", model=classifier, tokenizer=tokenizer)("ok")[0]["label"]


def test_methods_finds_the_defining_class_and_refuses_what_it_cannot_switch_off(tokenizer):
    from transformers.tokenization_utils_base import PreTrainedTokenizerBase

    assert methods(tokenizer, "pad") == [PreTrainedTokenizerBase.pad] == methods(type(tokenizer), "pad")
    with pytest.raises(AttributeError, match="no method 'nothing'"):
        methods(tokenizer, "nothing")
    with pytest.raises(TypeError, match="calls_to"), switched_off([len], "no"):
        pass

    def outer():
        value = 1

        def inner():
            return value

        return inner

    with pytest.raises(TypeError, match="closure"), switched_off([outer()], "no"):
        pass


def test_own_work_of_builds_one_guard_per_exercise():
    own_work = own_work_of(
        "notebook 00", {"zoo": lambda: ([tokenizer_zoo.word_tokenize], "write it yourself")}
    )
    with pytest.raises(ShortcutUsed, match="write it yourself"), own_work("zoo"):
        tokenizer_zoo.word_tokenize("Hi")
    with pytest.raises(KeyError, match="notebook 00; its exercises: zoo"):
        own_work("other")
    assert "notebook 00 (zoo)" in own_work.__doc__


def test_a_check_turns_a_shortcut_into_its_message(classifier, tokenizer):
    def classify(texts, tok, model):
        return together.reference_scores(tok, model, texts)

    result = run_check("together_classify", classify, tokenizer, classifier)
    assert not result.passed and result.message.startswith("classify built or ran a pipeline"), result.message


def test_calls_to_watches_c_methods_and_only_calls_from_outside_the_library(tokenizer):
    import tokenizers
    import transformers

    with calls_to(encoding_methods(tokenizer)) as used:
        tokenizer("a call")
        tokenizer("a second call")
    assert used == ["PreTrainedTokenizerBase.__call__", "TokenizersBackend._encode_plus"]
    library = transformers.__file__.rsplit("/", 1)[0]
    with calls_to(encoding_methods(tokenizer), outside=library) as used:
        tokenizer.tokenize("tokenize calls _encode_plus inside transformers")
    assert used == []
    rust = tokenizer.backend_tokenizer
    with calls_to([], builtin_methods=((tokenizers.Tokenizer, "encode"),)) as used:
        rust.encode("the Rust tokenizer")
    assert used == ["Tokenizer.encode"]
