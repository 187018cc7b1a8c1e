"""Checks for chapter 2, "Models": configs, random vs pretrained weights, heads, save/reload, raw ids.

torch and transformers are imported inside the checks, so that `import course` stays fast.
"""

from __future__ import annotations

from typing import Any

from course.checks.base import CheckResult, fail, register, success


def _is_model(model: Any) -> bool:
    from transformers import PreTrainedModel

    return isinstance(model, PreTrainedModel)


def _not_a_model(model: Any, example: str) -> CheckResult:
    if model is None:
        return fail(f"no answer yet (None): build the model, e.g. {example}")
    return fail(f"expected a transformers model (e.g. {example}), got {type(model).__name__}")


def _word_embeddings(model: Any):
    return model.get_input_embeddings().weight


@register("models_from_config")
def check_from_config(model: Any, num_layers: int, num_heads: int, reference: Any = None) -> CheckResult:
    """A bare BertModel built from a config with `num_layers` layers and `num_heads` heads: random weights.

    `reference` (optional) is the pretrained model whose config was edited: sizes must match it, weights not.
    """
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
            f"the model has {layers} layers: set config.num_hidden_layers = {num_layers} before building"
        )
    if config.num_attention_heads != num_heads:
        return fail(
            f"the model has {config.num_attention_heads} attention heads: set "
            f"config.num_attention_heads = {num_heads} before building"
        )
    if reference is not None:
        ref = reference.config
        for field in ("hidden_size", "vocab_size", "intermediate_size"):
            if getattr(config, field) != getattr(ref, field):
                return fail(
                    f"{field} is {getattr(config, field)}, the checkpoint's is {getattr(ref, field)}: "
                    "start from the checkpoint's config (AutoConfig.from_pretrained), change layers and heads"
                )
        if torch.equal(_word_embeddings(model), _word_embeddings(reference)):
            return fail(
                "its embeddings are the checkpoint's trained ones: from_pretrained loads weights; "
                "build the model from the config (BertModel(config)) to get random ones"
            )
    return success(
        f"a BertModel with {num_layers} layers and {num_heads} heads and random weights: "
        "the architecture is right, but it has learned nothing yet"
    )


@register("models_classification_head")
def check_classification_head(model: Any, labels: list[str], reference: Any = None) -> CheckResult:
    """A pretrained body with a fresh sequence-classification head for `labels`, id2label and label2id set.

    `reference` (optional) is the pretrained bare model: the body's embeddings must equal its.
    """
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
    if model.config.num_labels != wanted:
        return fail(
            f"num_labels is {model.config.num_labels}: pass num_labels={wanted}, one output per label"
        )
    head = getattr(model, "classifier", None)
    outputs = getattr(head, "out_features", wanted)
    if outputs != wanted:
        return fail(
            f"the head has {outputs} outputs but num_labels is {wanted}: load the model with num_labels"
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
        return fail(f"id2label is {id2label}; expected {expected}")
    label2id = {k: int(v) for k, v in model.config.label2id.items()}
    if label2id != {label: i for i, label in expected.items()}:
        return fail(
            f"label2id is {label2id}: pass label2id too, the inverse of id2label "
            f"({ {label: i for i, label in expected.items()} })"
        )
    if reference is not None and not torch.equal(_word_embeddings(model), _word_embeddings(reference)):
        return fail(
            "the body's weights are not the checkpoint's: load with from_pretrained(..., num_labels=...) "
            "so that only the head is new, rather than building from a config"
        )
    return success(
        f"pretrained body + a new {wanted}-label head ({', '.join(labels)}); the head is untrained"
    )


def _forward(model: Any, inputs: Any):
    import torch

    with torch.no_grad():
        out = model(inputs) if isinstance(inputs, torch.Tensor) else model(**inputs)
    for key in ("logits", "last_hidden_state"):
        if getattr(out, key, None) is not None:
            return getattr(out, key)
    return out[0]


@register("models_round_trip")
def check_round_trip(reloaded: Any, original: Any, inputs: Any) -> CheckResult:
    """`reloaded` (from the saved directory) has the class, config, weights and outputs of `original`."""
    import torch

    if not _is_model(reloaded):
        return _not_a_model(reloaded, "AutoModelForSequenceClassification.from_pretrained(save_dir)")
    if type(reloaded) is not type(original):
        return fail(
            f"reloaded is a {type(reloaded).__name__} but the saved model is a {type(original).__name__}: "
            "reload with the same Auto class (or the class saved in config.json)"
        )
    labels = [{int(k): v for k, v in m.config.id2label.items()} for m in (reloaded, original)]
    if labels[0] != labels[1]:
        return fail(
            "the labels (config.id2label) differ: reload from the directory you saved, not the checkpoint"
        )
    mine, theirs = reloaded.state_dict(), original.state_dict()
    if set(mine) != set(theirs):
        return fail("the two models have different parameters: reload from the directory you saved into")
    for key, tensor in theirs.items():
        if mine[key].shape != tensor.shape or not torch.equal(mine[key], tensor):
            return fail(
                f"the weights differ ({key}): reload from the directory you saved into, "
                "not from the original checkpoint (a new head is initialised at random each time)"
            )
    for which, model in (("reloaded", reloaded), ("original", original)):
        if model.training:
            return fail(
                f"the {which} model is in training mode: dropout makes every call different; "
                "call model.eval() on both before comparing outputs"
            )
    a, b = _forward(original, inputs), _forward(reloaded, inputs)
    if not torch.equal(a, b):
        return fail(
            f"same weights but outputs differ by {float((a - b).abs().max()):.3g}: use the same inputs"
        )
    return success(
        "same class, config and weights: the outputs are identical after save_pretrained/from_pretrained"
    )


@register("models_ids_tensor")
def check_ids_tensor(tensor: Any, encoded_sequences: list[list[int]]) -> CheckResult:
    """`tensor` is `torch.tensor(encoded_sequences)`: 2-D, integer ids, one row per sequence."""
    import torch

    expected = torch.tensor(encoded_sequences)
    if tensor is None:
        return fail("no answer yet (None): convert the ids with torch.tensor(encoded_sequences)")
    if isinstance(tensor, (list, tuple)):
        return fail("a Python list: models take tensors; wrap the ids with torch.tensor(encoded_sequences)")
    if not isinstance(tensor, torch.Tensor):
        return fail(f"a {type(tensor).__name__}, not a torch.Tensor: use torch.tensor(encoded_sequences)")
    if tensor.is_floating_point():
        return fail(
            f"dtype {str(tensor.dtype).replace('torch.', '')}: token ids index the embedding table "
            "and must be integers (torch.long); torch.tensor(list_of_ints) gives that"
        )
    if tensor.dim() == 1:
        return fail(
            f"a 1-D tensor of {tensor.numel()} ids: the model expects [batch, sequence]; keep one row per "
            "sentence (torch.tensor(encoded_sequences), without flattening)"
        )
    if tensor.shape != expected.shape:
        return fail(f"shape {list(tensor.shape)}, expected {list(expected.shape)}: one row per sequence")
    if not torch.equal(tensor.long(), expected):
        return fail("the ids differ from encoded_sequences: convert them unchanged and in order")
    return success(
        f"a {list(expected.shape)} tensor of token ids (torch.{str(tensor.dtype)[6:]}): ready for model(...)"
    )
