"""Turn the common exceptions of chapters 2 and 3 into advice a learner can act on.

`course.explain(error)` returns one line of advice ('' when no rule applies). The patterns were
checked against the messages that torch 2.13 / transformers 5.23 really raise.
"""

from __future__ import annotations

import re
from typing import Any

MISSING_MASK_HINT = (
    "Padded rows give different logits unless the model sees the attention mask: pass "
    "attention_mask=... (the tokenizer returns it with padding=True)."
)

# (pattern in "ExceptionType: message", advice)
RULES: list[tuple[str, str]] = [
    (
        r"cannot import name 'AdamW' from 'transformers'|module transformers has no attribute AdamW",
        "transformers removed its AdamW in 4.50 (huggingface/transformers#36177): use "
        "torch.optim.AdamW(model.parameters(), lr=...); its defaults differ (weight_decay 0.01, eps 1e-8).",
    ),
    (
        r"cannot import name 'load_metric'",
        'datasets.load_metric is gone: use evaluate.load("glue", "mrpc") (pip install evaluate; offline, '
        "course.setup() provides glue, accuracy and f1), or sklearn.metrics.",
    ),
    (
        r"evaluation_strategy",
        'TrainingArguments(evaluation_strategy=...) was renamed: use eval_strategy="epoch".',
    ),
    (
        r"unexpected keyword argument 'tokenizer'",
        "Trainer(tokenizer=...) became Trainer(processing_class=tokenizer) in transformers 5.",
    ),
    (r"no_cuda", "TrainingArguments(no_cuda=True) is now use_cpu=True."),
    (r"warmup_ratio", "warmup_ratio is gone in transformers 5: pass warmup_steps (an integer) instead."),
    (
        r"tf is not a valid TensorType",
        'TensorFlow support left transformers 5: use return_tensors="pt" (PyTorch) or "np" (NumPy).',
    ),
    (
        r"cannot import name 'TF\w+' from 'transformers'|module transformers has no attribute TF\w+",
        "TensorFlow classes (TFAutoModel...) left transformers 5: use the PyTorch class without the "
        "TF prefix, e.g. AutoModelForSequenceClassification.",
    ),
    (
        r"couldn't connect to 'https://huggingface.co'.*couldn't find them in the cached files|"
        r"offline mode is enabled|is not cached in|Couldn't reach .* on the Hub|Couldn't find cache for|"
        r"doesn't exist on the Hugging Face Hub either",
        "This checkpoint or dataset is not on this machine and the Hub is out of reach (offline). Offline, "
        "course.setup() provides stand-ins only for bert-base-uncased, distilbert-base-uncased, the "
        "sentiment pipeline's default, GLUE mrpc/sst2 and the glue/accuracy/f1 metrics. Fix: connect to "
        "the internet (or set HF_ENDPOINT to a local mirror), use one of those names, or pass a folder "
        "saved with save_pretrained().",
    ),
    (
        r"cannot import name 'HfFolder'",
        "huggingface_hub 2 removed HfFolder: use huggingface_hub.login / get_token.",
    ),
    (
        r"text input must be of type",
        "datasets 5 returns a Column, not a list: wrap it, e.g. tokenizer(list(dataset['sentence1'])), "
        "or better, use dataset.map(tokenize_function, batched=True).",
    ),
    (
        r"too many indices for tensor of dimension 1|not enough values to unpack \(expected 2, got 1\)",
        "The model expects a batch: input_ids must be 2-D [batch, sequence]. Wrap one sentence as "
        'torch.tensor([ids]) or call the tokenizer with return_tensors="pt".',
    ),
    (
        r"'list' object has no attribute 'size'",
        "The model needs tensors, not Python lists: torch.tensor([ids]) for one sentence, or call the "
        'tokenizer with return_tensors="pt".',
    ),
    (
        r"Expected tensor for argument #1 'indices' to have one of the following scalar types",
        "input_ids must hold integer token ids (torch.long), not floats: build them with torch.tensor(ids) "
        "from a list of ints, or .long().",
    ),
    (
        r"index out of range in self",
        "A token id is larger than the model's vocabulary: the tokenizer and the model come from different "
        "checkpoints. Load both from the same name.",
    ),
    (
        r"expected sequence of length \d+ at dim 1|Unable to create tensor|extra dimension",
        "Sequences of different lengths cannot form one tensor: pad them (padding=True, or "
        'padding="max_length" with truncation=True so that longer ones are cut) and pass the attention '
        "mask, or use DataCollatorWithPadding.",
    ),
    (
        r"The expanded size of the tensor \(\d+\) must match the existing size \(\d+\)|"
        r"size of tensor a \(\d+\) must match the size of tensor b \((?:512|1024|2048|4096)\) "
        r"at non-singleton dimension 3",
        "The sequence is longer than the model can read (its position embeddings stop at "
        "config.max_position_embeddings, 512 for BERT): truncate with tokenizer(..., truncation=True, "
        "max_length=...) or use a model with a longer context.",
    ),
    (r"strongly recommend passing in an `attention_mask`", MISSING_MASK_HINT),
    (
        r"must match the size of tensor|size of tensor a \(\d+\) must match",
        "Two tensors disagree in shape: check that input_ids and attention_mask have the same [batch, seq].",
    ),
    (
        r"Expected all tensors to be on the same device",
        "The model and the batch are on different devices: move the batch with "
        "{k: v.to(device) for k, v in batch.items()}.",
    ),
]


def explain(error: BaseException | str) -> str:
    """Advice for an exception (or its text) from this chapter's code; '' when none applies."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    for pattern, advice in RULES:
        if re.search(pattern, text):
            return advice
    return ""


def explain_batch(input_ids: Any, attention_mask: Any = None, pad_token_id: int = 0) -> str:
    """Advice for a batch that runs without an exception but gives wrong outputs; '' when it looks right.

    The silent mistake of padding: padded rows passed without an attention mask, or with a mask that
    has 1s on the padding. `input_ids` and `attention_mask` are tensors, arrays or nested lists.
    """
    import torch

    ids = torch.as_tensor(input_ids)
    if ids.dim() != 2:
        return (
            explain("ValueError: not enough values to unpack (expected 2, got 1)") if ids.dim() == 1 else ""
        )
    padded = ids == pad_token_id
    if attention_mask is None:
        return MISSING_MASK_HINT if bool(padded.any()) else ""
    mask = torch.as_tensor(attention_mask)
    if mask.shape != ids.shape:
        return (
            f"attention_mask has shape {list(mask.shape)} but input_ids has {list(ids.shape)}: "
            "they need one mask value per token."
        )
    rows = [i for i in range(ids.shape[0]) if bool((mask[i][padded[i]] != 0).any())]
    if rows:
        return (
            f"row {rows[0]} attends to its padding: the mask has 1s where input_ids == pad_token_id "
            f"({pad_token_id}); put 0s there."
        )
    return ""
