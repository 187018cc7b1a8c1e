"""Turn the common exceptions of chapters 2 and 3 into advice a learner can act on."""

from __future__ import annotations

import re

# (pattern in "ExceptionType: message", advice)
RULES: list[tuple[str, str]] = [
    (r"cannot import name 'AdamW' from 'transformers'",
     "transformers 5 removed its AdamW: use torch.optim.AdamW(model.parameters(), lr=...)."),
    (r"cannot import name 'load_metric'",
     "datasets.load_metric is gone: use evaluate.load(...) online, or sklearn.metrics offline."),
    (r"evaluation_strategy",
     "TrainingArguments(evaluation_strategy=...) was renamed: use eval_strategy=\"epoch\"."),
    (r"unexpected keyword argument 'tokenizer'",
     "Trainer(tokenizer=...) became Trainer(processing_class=tokenizer) in transformers 5."),
    (r"no_cuda", "TrainingArguments(no_cuda=True) is now use_cpu=True."),
    (r"warmup_ratio", "warmup_ratio is gone in transformers 5: pass warmup_steps (an integer) instead."),
    (r"tf is not a valid TensorType",
     "TensorFlow support left transformers 5: use return_tensors=\"pt\" (PyTorch) or \"np\" (NumPy)."),
    (r"cannot import name 'HfFolder'", "huggingface_hub 2 removed HfFolder: use huggingface_hub.login / get_token."),
    (r"text input must be of type",
     "datasets 5 returns a Column, not a list: wrap it, e.g. tokenizer(list(dataset['sentence1'])), "
     "or better, use dataset.map(tokenize_function, batched=True)."),
    (r"too many indices for tensor of dimension 1|not enough values to unpack \(expected 2, got 1\)",
     "The model expects a batch: input_ids must be 2-D [batch, sequence]. Wrap one sentence as "
     "torch.tensor([ids]) or call the tokenizer with return_tensors=\"pt\"."),
    (r"index out of range in self",
     "A token id is larger than the model's vocabulary: the tokenizer and the model come from different "
     "checkpoints. Load both from the same name."),
    (r"expected sequence of length \d+ at dim 1|Unable to create tensor|extra dimension",
     "Sequences of different lengths cannot form one tensor: pad them (padding=True) and pass the "
     "attention mask, or use DataCollatorWithPadding."),
    (r"must match the size of tensor|size of tensor a \(\d+\) must match",
     "Two tensors disagree in shape: check that input_ids and attention_mask have the same [batch, seq]."),
    (r"Expected all tensors to be on the same device",
     "The model and the batch are on different devices: move the batch with "
     "{k: v.to(device) for k, v in batch.items()}."),
]
MISSING_MASK_HINT = (
    "Padded rows give different logits unless the model sees the attention mask: pass "
    "attention_mask=... (the tokenizer returns it with padding=True)."
)


def explain(error: BaseException | str) -> str:
    """Advice for an exception (or its text) from this chapter's code; '' when none applies."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    for pattern, advice in RULES:
        if re.search(pattern, text):
            return advice
    return ""
