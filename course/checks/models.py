"""Checks for chapter 2, "Models": configs, random vs pretrained weights, heads, save/reload, raw ids.

Each check takes the learner's function, calls it on the notebook's inputs and on inputs of its own
(other layer and head counts, other labels, a small BERT checkpoint saved in a folder, a model changed
before saving, other ids), and says what to fix. torch and transformers are imported inside the
checks, so that `import course` stays fast.
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from course.checks.base import CheckResult, fail, not_a_function, prefixed, register, success
from course.checks.other_objects import changed_classifier, save_tiny_bert


def _is_model(model: Any) -> bool:
    from transformers import PreTrainedModel

    return isinstance(model, PreTrainedModel)


def _not_a_model(model: Any, example: str) -> CheckResult:
    if model is None:
        return fail(f"the function returned None: return the model, e.g. {example}")
    return fail(f"expected a transformers model (e.g. {example}), got {type(model).__name__}")


def _word_embeddings(model: Any):
    return model.get_input_embeddings().weight


# models_from_config -----------------------------------------------------------------------------


def _judge_from_config(model: Any, num_layers: int, num_heads: int, reference: Any) -> CheckResult:
    """A bare BertModel: `num_layers` layers, `num_heads` heads, `reference`'s other sizes, random weights."""
    import torch

    if not _is_model(model):
        return _not_a_model(model, "BertModel(config)")
    name = type(model).__name__
    if name != "BertModel":
        return fail(
            f"got a {name}: build the bare model without a task head, BertModel(config) "
            "or AutoModel.from_config(config)"
        )
    config = model.config
    layers = len(model.encoder.layer)
    if config.num_hidden_layers != num_layers or layers != num_layers:
        return fail(
            f"the model has {layers} layers, not {num_layers}: set num_hidden_layers from the "
            "function's argument before building"
        )
    if config.num_attention_heads != num_heads:
        return fail(
            f"the model has {config.num_attention_heads} attention heads, not {num_heads}: set "
            "num_attention_heads from the function's argument before building"
        )
    ref = reference.config
    for field in ("hidden_size", "vocab_size", "intermediate_size"):
        if getattr(config, field) != getattr(ref, field):
            return fail(
                f"{field} is {getattr(config, field)}, the checkpoint's is {getattr(ref, field)}: start from "
                "the configuration of the checkpoint you are given (AutoConfig.from_pretrained), change "
                "only layers and heads"
            )
    if torch.equal(_word_embeddings(model), _word_embeddings(reference)):
        return fail(
            "its embeddings are the checkpoint's trained ones: from_pretrained loads weights; "
            "build the model from the config (BertModel(config)) to get random ones"
        )
    return success("")


@register(
    "models_from_config",
    hints=(
        "Sections 2 and 3: AutoConfig loads a checkpoint's configuration without weights, and a model "
        "built from a configuration starts with random weights.",
        "AutoConfig.from_pretrained accepts configuration fields as keyword arguments (the two counts "
        "are fields of BertConfig); then the model class called on that configuration.",
    ),
)
def check_from_config(small_bert: Callable[..., Any], checkpoint: str, reference: Any) -> CheckResult:
    """`small_bert(checkpoint, num_layers, num_heads)`: a bare BertModel from the checkpoint's config, random.

    `reference` is the pretrained model of `checkpoint`. Tried with 2 layers and 4 heads, with 3 and 6,
    and on a small BERT checkpoint saved in a folder (hard-coded sizes or names show).
    """
    problem = not_a_function("small_bert", small_bert, "(checkpoint, num_layers, num_heads)")
    if problem is not None:
        return problem
    for layers, heads in ((2, 4), (3, 6)):
        verdict = _judge_from_config(small_bert(checkpoint, layers, heads), layers, heads, reference)
        if not verdict.passed:
            return prefixed(f"with {checkpoint!r}, {layers} layers and {heads} heads", verdict)
    with tempfile.TemporaryDirectory() as folder:
        tiny = save_tiny_bert(folder)
        verdict = _judge_from_config(small_bert(folder, 1, 2), 1, 2, tiny)
    if not verdict.passed:
        return prefixed(
            "with a small BERT checkpoint saved in a folder (hidden size 64), 1 layer and 2 heads", verdict
        )
    return success(
        "a BertModel with the checkpoint's sizes, the layers and heads asked for, and random weights: "
        "the architecture is right, but it has learned nothing yet"
    )


# models_classification_head ---------------------------------------------------------------------


def _judge_head(model: Any, labels: list[str], reference: Any) -> CheckResult:
    """A pretrained body (`reference`'s embeddings), a fresh head for `labels`, id2label and label2id set."""
    import torch

    if not _is_model(model):
        return _not_a_model(
            model,
            "AutoModelForSequenceClassification.from_pretrained(name, num_labels=..., id2label=...)",
        )
    name = type(model).__name__
    if "ForSequenceClassification" not in name:
        return fail(
            f"a {name} has no sentence-classification head: load it with "
            "AutoModelForSequenceClassification.from_pretrained(...)"
        )
    wanted = len(labels)
    head = getattr(model, "classifier", None)
    outputs = getattr(head, "out_features", wanted)
    if model.config.num_labels != wanted and outputs != wanted:
        return fail(
            f"num_labels is {model.config.num_labels}: pass num_labels={wanted}, one output per label"
        )
    if outputs != wanted:
        return fail(
            f"the head has {outputs} outputs but id2label names {wanted} labels: the head is built when the "
            "model loads, so pass num_labels (and the label maps) to from_pretrained, not to config later"
        )
    expected = dict(enumerate(labels))
    id2label = {int(k): v for k, v in model.config.id2label.items()}
    if id2label != expected:
        if all(str(v).startswith("LABEL_") for v in id2label.values()):
            return fail(f"id2label is still the default {id2label}: pass id2label={expected}")
        if sorted(map(str, id2label.values())) == sorted(labels):
            return fail(
                f"id2label has the right names in the wrong order: index i must map to labels[i], {expected}"
            )
        return fail(f"id2label is {id2label}; expected {expected}: build it from the labels you are given")
    label2id = {k: int(v) for k, v in model.config.label2id.items()}
    if label2id != {label: i for i, label in expected.items()}:
        return fail(
            f"label2id is {label2id}: pass label2id too, the inverse of id2label "
            f"({ {label: i for i, label in expected.items()} })"
        )
    mine, theirs = _word_embeddings(model), _word_embeddings(reference)
    if mine.shape != theirs.shape or not torch.equal(mine, theirs):
        return fail(
            "the body's weights are not the checkpoint's: load the checkpoint you are given with "
            "from_pretrained(checkpoint, num_labels=...) so that only the head is new"
        )
    return success("")


OTHER_LABELS = ("negative", "neutral", "positive")
TINY_LABELS = ("no", "yes")


@register(
    "models_classification_head",
    hints=(
        "Section 5, 'A new classification head': the keyword arguments of from_pretrained set values of "
        "the configuration, and the head is built from them.",
        "AutoModelForSequenceClassification.from_pretrained with three keyword arguments of the "
        "configuration: the number of labels and the two maps, built from the labels.",
    ),
)
def check_classification_head(
    with_labels: Callable[..., Any], checkpoint: str, labels: Sequence[str], reference: Any
) -> CheckResult:
    """`with_labels(checkpoint, labels)`: the pretrained body, a new head for `labels`, both label maps set.

    `reference` is the pretrained bare model of `checkpoint`. Tried with `labels`, with three other
    labels, and on a small BERT checkpoint saved in a folder.
    """
    problem = not_a_function("with_labels", with_labels, "(checkpoint, labels)")
    if problem is not None:
        return problem
    for names in (list(labels), list(OTHER_LABELS)):
        verdict = _judge_head(with_labels(checkpoint, list(names)), names, reference)
        if not verdict.passed:
            return prefixed(f"with {checkpoint!r} and labels {names}", verdict)
    with tempfile.TemporaryDirectory() as folder:
        tiny = save_tiny_bert(folder)
        verdict = _judge_head(with_labels(folder, list(TINY_LABELS)), list(TINY_LABELS), tiny)
    if not verdict.passed:
        return prefixed(
            f"with a small BERT checkpoint saved in a folder and labels {list(TINY_LABELS)}", verdict
        )
    n = len(labels)
    return success(
        f"pretrained body + a new {n}-label head, index i -> labels[i] and back; the head is untrained"
    )


# models_round_trip ------------------------------------------------------------------------------


def _forward(model: Any, inputs: Any):
    import torch

    with torch.no_grad():
        out = model(inputs) if isinstance(inputs, torch.Tensor) else model(**inputs)
    for key in ("logits", "last_hidden_state"):
        if getattr(out, key, None) is not None:
            return getattr(out, key)
    return out[0]


def _same_place(a: Any, b: Any) -> bool:
    try:
        return Path(str(a)).resolve() == Path(str(b)).resolve()
    except (OSError, RuntimeError, ValueError):
        return False


def _judge_round_trip(reloaded: Any, original: Any, folder: Path, inputs: Any) -> CheckResult:
    """`reloaded` was loaded from `folder`, where `original` and a tokenizer were saved, and equals it."""
    import torch

    if not _is_model(reloaded):
        return _not_a_model(reloaded, "AutoModelForSequenceClassification.from_pretrained(folder)")
    if reloaded is original:
        return fail(
            "you returned the model you were given: save it into the folder, then load a new one from "
            "there with from_pretrained(folder)"
        )
    saved = {path.name for path in folder.glob("*")} if folder.is_dir() else set()
    if not {"config.json", "model.safetensors"} <= saved:
        return fail(
            f"the folder holds {sorted(saved)}: save the model you are given into it with "
            "model.save_pretrained(folder), which writes config.json and model.safetensors"
        )
    if "tokenizer_config.json" not in saved:
        return fail(
            "no tokenizer in the folder: save the tokenizer you are given too, "
            "tokenizer.save_pretrained(folder)"
        )
    if type(reloaded) is not type(original):
        return fail(
            f"reloaded is a {type(reloaded).__name__} but the saved model is a {type(original).__name__}: "
            "reload with the same Auto class (or the class saved in config.json)"
        )
    labels = [{int(k): v for k, v in m.config.id2label.items()} for m in (reloaded, original)]
    if labels[0] != labels[1]:
        return fail(
            "the labels (config.id2label) differ: reload from the folder you saved into, not the checkpoint"
        )
    mine, theirs = reloaded.state_dict(), original.state_dict()
    if set(mine) != set(theirs):
        return fail("the two models have different parameters: reload from the folder you saved into")
    for key, tensor in theirs.items():
        if mine[key].shape != tensor.shape or not torch.equal(mine[key], tensor):
            return fail(
                f"the weights differ ({key}): save the model you are given (not another one) and reload "
                "from the folder you saved into, not from the original checkpoint"
            )
    if reloaded.training:
        return fail(
            "the reloaded model is in training mode: dropout makes every call different; "
            "return it in evaluation mode, ready to predict (model.eval())"
        )
    if not _same_place(getattr(reloaded, "name_or_path", ""), folder):
        return fail(
            f"the model was not loaded from the folder (it comes from {str(reloaded.name_or_path)!r}): "
            "load it back with from_pretrained(folder) rather than copying or reloading the checkpoint"
        )
    a, b = _forward(original, inputs), _forward(reloaded, inputs)
    if not torch.equal(a, b):
        return fail(
            f"same weights but outputs differ by {float((a - b).abs().max()):.3g}: reload with the "
            "configuration that was saved, without overriding it"
        )
    return success("")


@register(
    "models_round_trip",
    hints=(
        "Section 6, 'Saving and loading': save_pretrained writes a folder, from_pretrained reads the same "
        "folder back.",
        "save_pretrained(folder) on the model and on the tokenizer; from_pretrained(folder) with the Auto "
        "class of the model's task.",
    ),
)
def check_round_trip(
    save_and_reload: Callable[..., Any], model: Any, tokenizer: Any, inputs: Any
) -> CheckResult:
    """`save_and_reload(model, tokenizer, folder)` saves both into `folder` and returns the model loaded back.

    Tried on `model` and on a copy whose head was changed before saving (so that reloading the original
    checkpoint shows), each in a fresh folder; the result must be a new model, loaded from that folder,
    with `model`'s class, labels, weights and outputs, in evaluation mode.
    """
    problem = not_a_function("save_and_reload", save_and_reload, "(model, tokenizer, folder)")
    if problem is not None:
        return problem
    for description, changed in (("the notebook's model", False), ("a model changed before saving", True)):
        original = changed_classifier(model, labels=None) if changed else model
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch) / "round-trip"
            reloaded = save_and_reload(original, tokenizer, folder)
            verdict = _judge_round_trip(reloaded, original, folder, inputs)
        if not verdict.passed:
            return prefixed(f"with {description}", verdict)
    return success(
        "a new model loaded from the folder, with the same class, config, weights and outputs: "
        "save_pretrained/from_pretrained keep everything"
    )


# models_ids_tensor ------------------------------------------------------------------------------


def _judge_ids_tensor(tensor: Any, encoded_sequences: list[list[int]]) -> CheckResult:
    import torch

    expected = torch.tensor(encoded_sequences)
    if tensor is None:
        return fail("the function returned None: return torch.tensor(...) of the ids")
    if isinstance(tensor, (list, tuple)):
        return fail("a Python list: models take tensors; wrap the ids with torch.tensor(...)")
    if not isinstance(tensor, torch.Tensor):
        return fail(f"a {type(tensor).__name__}, not a torch.Tensor: use torch.tensor(...)")
    if tensor.is_floating_point():
        return fail(
            f"dtype {str(tensor.dtype).replace('torch.', '')}: token ids index the embedding table "
            "and must be integers (torch.long); torch.tensor(list_of_ints) gives that"
        )
    if tensor.dim() == 1:
        return fail(
            f"a 1-D tensor of {tensor.numel()} ids: the model expects [batch, sequence]; keep one row per "
            "sequence (without flattening)"
        )
    if tensor.shape != expected.shape:
        return fail(f"shape {list(tensor.shape)}, expected {list(expected.shape)}: one row per sequence")
    if not torch.equal(tensor.long(), expected):
        return fail("the ids differ from the ones given: convert them unchanged and in order")
    if tensor.dtype != torch.long:
        return fail(
            f"dtype {str(tensor.dtype).replace('torch.', '')}: use torch.long (int64), the type of the "
            "tokenizer's ids and what torch.tensor gives for Python ints"
        )
    return success("")


def _same_tensor(a: Any, b: Any) -> bool:
    import torch

    return (
        isinstance(a, torch.Tensor)
        and isinstance(b, torch.Tensor)
        and a.shape == b.shape
        and torch.equal(a, b)
    )


# one sequence of five ids (squeezing shows), and two of three
OTHER_IDS = ([[101, 7592, 2088, 999, 102]], [[101, 2204, 102], [101, 2919, 102]])


@register(
    "models_ids_tensor",
    hints=(
        "Section 7: a model takes a 2-D tensor of integer ids, [batch, sequence].",
        "torch.tensor(...) turns nested lists into a tensor of their shape; Python ints give torch.long.",
    ),
)
def check_ids_tensor(
    to_model_inputs: Callable[[list[list[int]]], Any], encoded_sequences: list[list[int]]
) -> CheckResult:
    """`to_model_inputs(ids)` is `torch.tensor(ids)`: 2-D, torch.long, one row per sequence."""
    problem = not_a_function("to_model_inputs", to_model_inputs, "(encoded_sequences)")
    if problem is not None:
        return problem
    cases = [[list(row) for row in encoded_sequences]] + [copy.deepcopy(ids) for ids in OTHER_IDS]
    first = None
    for ids in cases:
        tensor = to_model_inputs(copy.deepcopy(ids))
        if first is not None and _same_tensor(tensor, first):
            return fail(
                f"with {ids}: the same tensor came back as for encoded_sequences: convert the function's "
                "argument, not the notebook's list"
            )
        verdict = _judge_ids_tensor(tensor, ids)
        if not verdict.passed:
            return prefixed(f"with {ids}", verdict)
        first = tensor if first is None else first
    shape = [len(encoded_sequences), len(encoded_sequences[0])]
    return success(
        f"a {shape} tensor of token ids (torch.int64) here, one row per sequence: ready for model(...)"
    )
