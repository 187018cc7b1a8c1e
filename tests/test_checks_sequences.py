"""The checks of "Handling multiple sequences": each right answer passes, each realistic mistake fails
with the message that says how to fix it."""

from __future__ import annotations

import pytest
import torch

from course.checks import run_check

SENTENCES = [
    [1045, 1005, 2310, 2042, 3403, 2005, 1037, 17662, 12172, 2607, 2026, 2878, 2166, 1012],
    [1045, 5223, 2023, 2061, 2172, 999],
]
LONG_TEXTS = ["Short one.", "This sentence is much too long to fit in sixteen tokens, so it has to be cut."]


def pad_batch(sequences, pad_token_id):
    longest = max(len(s) for s in sequences)
    ids = [s + [pad_token_id] * (longest - len(s)) for s in sequences]
    mask = [[1] * len(s) + [0] * (longest - len(s)) for s in sequences]
    return torch.tensor(ids), torch.tensor(mask)


def masked_forward(model, sequences, pad_token_id):
    ids, mask = pad_batch(sequences, pad_token_id)
    with torch.no_grad():
        out = model(ids, attention_mask=mask, output_hidden_states=True)
    return out.logits, out.hidden_states[-1]


# --- sequences_batch_dim ---------------------------------------------------------------------------------
def test_batch_dim_right():
    result = run_check("sequences_batch_dim", lambda ids: torch.tensor([ids]))
    assert result.passed, result.message


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda ids: torch.tensor(ids), "has no batch dimension"),
        (lambda ids: torch.tensor(ids).unsqueeze(1), "the batch dimension comes first"),
        (lambda ids: [ids], "wrap it in a tensor"),
        (lambda ids: torch.tensor([ids], dtype=torch.float), "token ids are integers"),
        (lambda ids: torch.tensor([sorted(ids)]), "other ids"),
        (lambda ids: torch.tensor([ids + [0]]), "expected [1, 6] for a sentence of 6 tokens"),
        (lambda ids: torch.tensor([ids], dtype=torch.int32), "use torch.long"),
    ],
)
def test_batch_dim_wrong(wrong, message):
    result = run_check("sequences_batch_dim", wrong)
    assert not result.passed and message in result.message, result.message


def test_unanswered_exercise_says_not_yet():
    def as_batch(ids):
        raise NotImplementedError()

    result = run_check("sequences_batch_dim", as_batch)
    assert not result.passed and "not yet" in result.message


# --- sequences_pad_batch ---------------------------------------------------------------------------------
def test_pad_batch_right():
    result = run_check("sequences_pad_batch", pad_batch)
    assert result.passed, result.message


def _mask_all_ones(sequences, pad):
    ids, mask = pad_batch(sequences, pad)
    return ids, torch.ones_like(mask)


def _pad_with_zero(sequences, pad):
    return pad_batch(sequences, 0)


def _pad_left(sequences, pad):
    longest = max(len(s) for s in sequences)
    ids = [[pad] * (longest - len(s)) + s for s in sequences]
    mask = [[0] * (longest - len(s)) + [1] * len(s) for s in sequences]
    return torch.tensor(ids), torch.tensor(mask)


def _in_place(sequences, pad):
    longest = max(len(s) for s in sequences)
    mask = [[1] * len(s) + [0] * (longest - len(s)) for s in sequences]
    for s in sequences:
        s += [pad] * (longest - len(s))
    return torch.tensor(sequences), torch.tensor(mask)


def _lists(sequences, pad):
    ids, mask = pad_batch(sequences, pad)
    return ids.tolist(), mask.tolist()


def _fixed_width(sequences, pad):
    ids = [s + [pad] * (8 - len(s)) for s in sequences]
    mask = [[1] * len(s) + [0] * (8 - len(s)) for s in sequences]
    return torch.tensor(ids), torch.tensor(mask)


def _mask_inverted(sequences, pad):
    ids, mask = pad_batch(sequences, pad)
    return ids, 1 - mask


@pytest.mark.parametrize(
    "wrong, message",
    [
        (_mask_all_ones, "row 1 attends to its padding: the mask has 1s where input_ids == pad_token_id"),
        (_pad_with_zero, "with pad_token_id=99: row 1 is padded with 0, not with pad_token_id (99)"),
        (_pad_left, "padded on the left"),
        (_in_place, "changed the lists it was given"),
        (_lists, "is a list, not a torch.Tensor"),
        (_fixed_width, "pad every row up to 4, no further"),
        (_mask_inverted, "row 0 ignores some of its real tokens"),
        (lambda s, p: pad_batch(s, p)[0], "must return a pair"),
        (lambda s, p: tuple(t[:1] for t in pad_batch(s, p)), "one row per sequence"),
        (lambda s, p: tuple(t[:, :-1] for t in pad_batch(s, p)), "a row lost tokens"),
        (lambda s, p: (pad_batch(s, p)[0].float(), pad_batch(s, p)[1]), "input_ids has dtype torch.float32"),
        (lambda s, p: (pad_batch(s, p)[0].flip(1), pad_batch(s, p)[1]), "should start with its own ids"),
        (lambda s, p: (pad_batch(s, p)[0], pad_batch(s, p)[1][:, :1]), "the mask needs one value per token"),
        (lambda s, p: (pad_batch(s, p)[0], 2 * pad_batch(s, p)[1]), "values other than 0 and 1"),
    ],
)
def test_pad_batch_wrong(wrong, message):
    result = run_check("sequences_pad_batch", wrong)
    assert not result.passed and message in result.message, result.message


# --- sequences_masked_batch (fresh head: tiny logit gap, large hidden-state gap) --------------------------
def test_masked_batch_right(classifier, tokenizer):
    result = run_check(
        "sequences_masked_batch", masked_forward, classifier, SENTENCES, tokenizer.pad_token_id
    )
    assert result.passed, result.message
    assert max(result.details["hidden_gaps"]) < 1e-4


def test_masked_batch_without_mask(classifier, tokenizer):
    def no_mask(model, sequences, pad):
        ids, _ = pad_batch(sequences, pad)
        with torch.no_grad():
            out = model(ids, output_hidden_states=True)
        return out.logits, out.hidden_states[-1]

    result = run_check("sequences_masked_batch", no_mask, classifier, SENTENCES, tokenizer.pad_token_id)
    assert not result.passed
    assert "WITHOUT its mask" in result.message and "pass attention_mask" in result.message, result.message
    # the fresh head hides the problem in the logits; the hidden states show it
    assert max(result.details["logit_gaps"]) < 0.2 < 1 < max(result.details["hidden_gaps"])


def test_masked_batch_all_hidden_layers(classifier, tokenizer):
    def all_layers(model, sequences, pad):
        ids, mask = pad_batch(sequences, pad)
        with torch.no_grad():
            out = model(ids, attention_mask=mask, output_hidden_states=True)
        return out.logits, out.hidden_states

    result = run_check("sequences_masked_batch", all_layers, classifier, SENTENCES, tokenizer.pad_token_id)
    assert not result.passed and "return only the last layer" in result.message, result.message


def test_masked_batch_first_layer(classifier, tokenizer):
    def first_layer(model, sequences, pad):
        ids, mask = pad_batch(sequences, pad)
        with torch.no_grad():
            out = model(ids, attention_mask=mask, output_hidden_states=True)
        return out.logits, out.hidden_states[0]

    result = run_check("sequences_masked_batch", first_layer, classifier, SENTENCES, tokenizer.pad_token_id)
    assert not result.passed and "the logits agree but the hidden states differ" in result.message


def test_masked_batch_training_mode(classifier, tokenizer):
    classifier.train()
    try:
        result = run_check("sequences_masked_batch", masked_forward, classifier, SENTENCES, 0)
    finally:
        classifier.eval()
    assert not result.passed and "model.eval()" in result.message


def _run(model, ids, mask=None):
    with torch.no_grad():
        out = model(ids, attention_mask=mask, output_hidden_states=True)
    return out


def _replace(index, change):
    """masked_forward with its output number `index` changed by `change`."""

    def answer(model, sequences, pad):
        out = list(masked_forward(model, sequences, pad))
        out[index] = change(out[index])
        return tuple(out)

    return answer


def _flipped(model, sequences, pad):
    ids, mask = pad_batch(sequences, pad)
    out = _run(model, ids.flip(1), mask.flip(1))
    return out.logits, out.hidden_states[-1]


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda m, s, p: masked_forward(m, s, p)[0], "must return a pair"),
        (_replace(0, lambda logits: logits.tolist()), "logits is a list"),
        (_replace(0, lambda logits: logits[:1]), "logits has shape [1, 2]"),
        (_replace(1, lambda hidden: hidden[:, 0]), "[batch, sequence, hidden]"),
        (_flipped, "check the padding id, the attention mask the model receives"),
    ],
)
def test_masked_batch_wrong(classifier, tokenizer, wrong, message):
    result = run_check("sequences_masked_batch", wrong, classifier, SENTENCES, tokenizer.pad_token_id)
    assert not result.passed and message in result.message, result.message


def test_masked_batch_with_the_global_model(classifier, tokenizer):
    result = run_check(
        "sequences_masked_batch",
        lambda model, s, p: masked_forward(classifier, s, p),
        classifier,
        SENTENCES,
        tokenizer.pad_token_id,
    )
    assert not result.passed and "not the `model` argument" in result.message, result.message
    assert "with another model" in result.message


def test_masked_batch_with_a_model_of_its_own(classifier, tokenizer):
    import copy

    third = copy.deepcopy(classifier)
    calls = []

    def remembers_the_first_model(model, sequences, pad):
        calls.append(model)
        return masked_forward(calls[0] if len(calls) > 1 else model, sequences, pad)

    result = run_check("sequences_masked_batch", remembers_the_first_model, third, SENTENCES, 0)
    assert not result.passed and "not the `model` argument" in result.message, result.message

    given = []

    def the_wrong_copy(model, sequences, pad):
        given.append(model)
        if len(given) > 1:  # the check's second call: run another model than the one given
            with torch.no_grad():
                model = copy.deepcopy(model)
                model.classifier.weight.mul_(-1)
        return masked_forward(model, sequences, pad)

    result = run_check("sequences_masked_batch", the_wrong_copy, third, SENTENCES, 0)
    assert not result.passed and "pass the `model` argument itself" in result.message, result.message


# --- sequences_truncate ----------------------------------------------------------------------------------
def test_truncate_right(tokenizer):
    def encode(texts, tok, max_length):
        return tok(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")

    result = run_check("sequences_truncate", encode, tokenizer, LONG_TEXTS, 16)
    assert result.passed, result.message


def _sliced(texts, tok, max_length):
    batch = tok(texts, padding=True, return_tensors="pt")
    return {k: v[:, :max_length] for k, v in batch.items()}


@pytest.mark.parametrize(
    "wrong, message",
    [
        (
            lambda t, tok, m: tok(t, padding=True, return_tensors="pt"),
            "pass truncation=True and max_length=16",
        ),
        (_sliced, "row 1 does not end with [SEP] (102)"),
        (lambda t, tok, m: tok(t, padding=True, truncation=True, max_length=m), 'return_tensors="pt"'),
        (
            lambda t, tok, m: {
                "input_ids": tok(t, padding=True, truncation=True, max_length=m, return_tensors="pt")[
                    "input_ids"
                ]
            },
            "no attention_mask",
        ),
    ],
)
def test_truncate_wrong(tokenizer, wrong, message):
    result = run_check("sequences_truncate", wrong, tokenizer, LONG_TEXTS, 16)
    assert not result.passed and message in result.message, result.message


def _encode(texts, tok, max_length, **kwargs):
    options = dict(padding=True, truncation=True, max_length=max_length, return_tensors="pt")
    return tok(texts, **{**options, **kwargs})


def _wrong_mask(texts, tok, max_length):
    batch = _encode(texts, tok, max_length)
    mask = batch["attention_mask"].clone()
    mask[:, 1] = 0  # a real token hidden
    return {"input_ids": batch["input_ids"], "attention_mask": mask}


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda t, tok, m: _encode(t, tok, m)["input_ids"], "a BatchEncoding with input_ids"),
        (lambda t, tok, m: _encode(t[:1], tok, m), "one row per text"),
        (
            lambda t, tok, m: _encode(t, tok, m, add_special_tokens=False),
            "row 0 does not start with [CLS] (101)",
        ),
        (_wrong_mask, "the attention mask is not the tokenizer's"),
        (lambda t, tok, m: _encode(t[::-1], tok, m), "the ids differ from what one padded, truncated call"),
        (
            lambda t, tok, m: _encode(t, tok, m, padding="max_length"),
            None,  # padding to max_length is right too
        ),
    ],
)
def test_truncate_more(tokenizer, wrong, message):
    result = run_check("sequences_truncate", wrong, tokenizer, LONG_TEXTS, 16)
    if message is None:
        assert result.passed, result.message
    else:
        assert not result.passed and message in result.message, result.message


def test_truncate_with_the_global_tokenizer(tokenizer):
    result = run_check(
        "sequences_truncate", lambda t, tok, m: _encode(t, tokenizer, m), tokenizer, LONG_TEXTS, 16
    )
    assert not result.passed and "ignores the tokenizer it is given" in result.message, result.message
    assert "another vocabulary ([CLS] = 15)" in result.message


def test_truncate_with_sep_hard_coded(tokenizer):
    def sliced_then_sep(texts, tok, max_length):
        batch = {
            k: v[:, :max_length].clone() for k, v in tok(texts, padding=True, return_tensors="pt").items()
        }
        last = batch["attention_mask"].sum(1) - 1
        batch["input_ids"][torch.arange(len(texts)), last] = 102
        return batch

    result = run_check("sequences_truncate", sliced_then_sep, tokenizer, LONG_TEXTS, 16)
    assert not result.passed and "does not end with [SEP] (13)" in result.message, result.message


# sequences_try_twice and sequences_try_padded -------------------------------------------------------------

COURSE = ["I've been waiting for a HuggingFace course my whole life.", "I hate this so much!"]


def logits_twice(ids, model):
    with torch.no_grad():
        return model(torch.tensor([ids, ids])).logits


def _twice(tokenizer, classifier, function):
    ids = tokenizer.convert_tokens_to_ids(tokenizer.tokenize(COURSE[0]))
    with torch.no_grad():
        earlier = classifier(torch.tensor([ids])).logits
    return run_check("sequences_try_twice", function, ids, classifier, earlier)


def _grows(ids, model):
    ids.append(ids[-1])
    return logits_twice(ids[:-1], model)


def test_batched_ids_right(tokenizer, classifier):
    result = _twice(tokenizer, classifier, logits_twice)
    assert result.passed, result.message


@pytest.mark.parametrize(
    "wrong, said",
    [
        (lambda i, m: logits_twice(i, m).tolist(), "not a torch tensor"),
        (_grows, "changed the list of ids"),
        (lambda i, m: torch.cat([logits_twice(i, m)[:1], logits_twice(i, m)[1:]]), "called 2 times"),
        (lambda i, m: m(torch.tensor([i])).logits.detach(), "not a batch of 2 rows"),
        (lambda i, m: logits_twice(i, m)[:1], "one row of logits per sequence"),
        (lambda i, m: logits_twice(i, m).softmax(dim=-1), "holds probabilities"),
        (lambda i, m: logits_twice(i, m) + 1, "differs from the logits of the ids alone"),
    ],
)
def test_batched_ids_wrong(tokenizer, classifier, wrong, said):
    result = _twice(tokenizer, classifier, wrong)
    assert not result.passed and said in result.message, result.message


def padded_by_hand(sentences, tokenizer, model, *, fill=None, left=False, mask_from_ids=False, use_mask=True):
    rows = [tokenizer.convert_tokens_to_ids(tokenizer.tokenize(text)) for text in sentences]
    width = max(len(row) for row in rows)
    pad = tokenizer.pad_token_id if fill is None else fill
    if left:
        ids = torch.tensor([[pad] * (width - len(row)) + row for row in rows])
        mask = torch.tensor([[0] * (width - len(row)) + [1] * len(row) for row in rows])
    else:
        ids = torch.tensor([row + [pad] * (width - len(row)) for row in rows])
        mask = torch.tensor([[1] * len(row) + [0] * (width - len(row)) for row in rows])
    if mask_from_ids:
        mask = (ids != pad).long()
    with torch.no_grad():
        logits = model(ids, attention_mask=mask).logits if use_mask else model(ids).logits
    return ids, mask, logits


def _one_by_one(sentences, tokenizer, model):
    ids, mask, _ = padded_by_hand(sentences, tokenizer, model)
    with torch.no_grad():
        rows = [
            model(torch.tensor([tokenizer.convert_tokens_to_ids(tokenizer.tokenize(t))])).logits
            for t in sentences
        ]
    return ids, mask, torch.cat(rows)


def _logits_shifted(sentences, tokenizer, model):
    ids, mask, logits = padded_by_hand(sentences, tokenizer, model)
    return ids, mask, logits + 1


def _padded(tokenizer, classifier, function, earlier=None):
    if earlier is None:
        rows = [tokenizer.convert_tokens_to_ids(tokenizer.tokenize(t)) for t in COURSE]
        with torch.no_grad():
            earlier = torch.cat([classifier(torch.tensor([row])).logits for row in rows])
    return run_check("sequences_try_padded", function, COURSE, tokenizer, classifier, earlier)


def test_padded_by_hand_right(tokenizer, classifier):
    result = _padded(tokenizer, classifier, padded_by_hand)
    assert result.passed, result.message


@pytest.mark.parametrize(
    "wrong, said",
    [
        (lambda s, t, m: padded_by_hand(s, t, m)[2], "expected the triple"),
        (lambda s, t, m: tuple(x.tolist() for x in padded_by_hand(s, t, m)), "is a list, not a torch tensor"),
        (
            lambda s, t, m: (
                torch.nn.functional.pad(padded_by_hand(s, t, m)[0], (0, 1)),
                *padded_by_hand(s, t, m)[1:],
            ),
            "input_ids has shape",
        ),
        (lambda s, t, m: padded_by_hand(s, t, m, fill=0), "not this tokenizer's padding id"),
        (lambda s, t, m: padded_by_hand(s, t, m, left=True), "padded on the right"),
        (lambda s, t, m: padded_by_hand(s, t, m, mask_from_ids=True), "of the attention mask is"),
        (_one_by_one, "the model was called 3 times"),
        (lambda s, t, m: padded_by_hand(s, t, m, use_mask=False), "did not receive the attention mask"),
        (_logits_shifted, "differ from the text run alone"),
        (
            lambda s, t, m: (t(s, padding=True, add_special_tokens=False, return_tensors="pt"),) * 3,
            "which pads for you",
        ),
    ],
)
def test_padded_by_hand_wrong(tokenizer, classifier, wrong, said):
    result = _padded(tokenizer, classifier, wrong)
    assert not result.passed and said in result.message, result.message


def test_padded_by_hand_needs_the_logits_computed_before(tokenizer, classifier):
    result = _padded(tokenizer, classifier, padded_by_hand, earlier=torch.zeros(2, 2))
    assert not result.passed and "alone_logits" in result.message, result.message


def test_every_failure_message_is_reached():
    from message_coverage import assert_every_failure_reached

    import course.checks.sequences

    assert_every_failure_reached(course.checks.sequences)
