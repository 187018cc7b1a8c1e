"""The section quizzes in plain text: the instructor's source of course/quiz/ and of the two quiz notebooks.

Today's course text (huggingface/course, chapters/en) has a 10-question quiz in 2/9 and section quizzes in
3/2, 3/3, 3/4 and 3/5. Every question is here, in our words; where today's libraries changed what a question
tests (transformers 5, datasets 5), the question is rewritten for them and `changed` says what changed.

This file holds the right answers in plain text. It is not part of the `course` package (the wheel ships
course/ only): `python -m tools.build_quiz` seals it into course/quiz/chapter2.py and chapter3.py (salted
hashes of the right sets, explanations sealed) and writes the solution notebooks, whose answer cells hold the
right letters between BEGIN/END SOLUTION.
"""

# ruff: noqa: E501 - prose: the strings are the questions and explanations
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    text: str
    right: bool
    explain: str


@dataclass(frozen=True)
class Source:
    id: str  # ch2_q3, ch3_4_q1: the graded cell is quiz_<id>
    section: str  # "2.9", "3.4": the section of today's course text
    number: int  # the question's number in that section's quiz
    question: str  # markdown
    options: tuple[Option, ...]
    multiple: bool = False  # choose every right option (a set of letters), else exactly one
    code: str = ""  # a Python snippet shown under the question
    changed: str = ""  # what today's libraries changed, and how the question follows them


def _q(id, section, number, question, options, multiple=False, code="", changed=""):
    return Source(id, section, number, question, tuple(Option(*o) for o in options), multiple, code, changed)


R, W = True, False

CHAPTER2 = [
    _q(
        "ch2_q1",
        "2.9",
        1,
        "A text goes through the pieces of a pipeline. In which order do they work?",
        [
            (
                "The model reads the raw text and predicts; the tokenizer then turns those predictions into text.",
                W,
                "A model never sees text: it computes on numbers. The tokenizer has to split the text and turn "
                "the pieces into ids before the model can do anything with it.",
            ),
            (
                "The tokenizer turns the text into ids, and the model turns the ids into its prediction, which "
                "is text already.",
                W,
                "The first two steps are right, but what comes out of a model is numbers too (logits, or the ids "
                "of new tokens), never text. Making text of it again is a third step.",
            ),
            (
                "The tokenizer turns the text into ids; the model turns the ids into predictions; where text must "
                "come out, the tokenizer turns predicted ids back into text.",
                R,
                "The tokenizer works in both directions: `tokenizer(text)` encodes, `tokenizer.decode(ids)` "
                "decodes. In between, the model only ever takes and returns numbers. (For a classifier the last "
                "step is a softmax and the label names in `model.config.id2label` instead of a decode.)",
            ),
        ],
    ),
    _q(
        "ch2_q2",
        "2.9",
        2,
        "A base model (`AutoModel`, no head) returns `last_hidden_state`. How many dimensions does that tensor "
        "have, and what are they?",
        [
            (
                "2: the sequence length and the batch size",
                W,
                "One is missing: every token gets a whole vector of numbers, the hidden state, and its size is a "
                "dimension of its own.",
            ),
            (
                "2: the sequence length and the hidden size",
                W,
                "Models always take batches. One sentence is a batch of one, and the batch dimension is still "
                "there (of size 1).",
            ),
            (
                "3: the batch size, the sequence length and the hidden size",
                R,
                "In that order: `[batch, tokens, hidden]`. The original course prints `[2, 16, 768]` for two "
                "sentences of 16 tokens through bert-base (hidden size 768); offline, the stand-in's hidden "
                "size is 384, so the last dimension is 384 here (notebook 02 shows it).",
            ),
        ],
        changed="The original's right option lists the dimensions in another order than the tensor's; ours "
        "names them in the tensor's order, batch first.",
    ),
    _q(
        "ch2_q3",
        "2.9",
        3,
        "Which of these are **subword** tokenization algorithms? Choose every one that is.",
        [
            (
                "WordPiece",
                R,
                "BERT's algorithm, and so the stand-in's here: a word it does not know whole is split into "
                "known pieces, such as `transform` + `##er`.",
            ),
            (
                "Character-based tokenization",
                W,
                "This splits text into single characters. The vocabulary is tiny, but the pieces are letters, "
                "not subwords, and sequences become very long.",
            ),
            (
                "Splitting on spaces and punctuation",
                W,
                "That is word-based tokenization: each word stays whole, the vocabulary gets huge, and a word "
                "it has never seen becomes `[UNK]`.",
            ),
            (
                "BPE (byte-pair encoding)",
                R,
                "GPT-2's family: it starts from characters (or bytes) and keeps merging the most frequent pair "
                "into a new symbol, so frequent words stay whole and rare ones become pieces.",
            ),
            (
                "Unigram",
                R,
                "Used (through SentencePiece) by models such as T5, ALBERT and XLNet: it starts from a large "
                "vocabulary of candidate pieces and prunes the ones that help least.",
            ),
            (
                "None of the above",
                W,
                "Look again at the options that break a rare word into smaller known pieces.",
            ),
        ],
        multiple=True,
    ),
    _q(
        "ch2_q4",
        "2.9",
        4,
        "What is a model's *head*?",
        [
            (
                "A part of the base Transformer that sends each tensor to the right layer",
                W,
                "There is no such part: the layers of the body run one after the other, always in the same order.",
            ),
            (
                "Another name for self-attention, which updates each token's vector from the other tokens",
                W,
                "Attention layers do have *attention heads*, but that is another use of the word: they sit inside "
                "the body, in every layer.",
            ),
            (
                "One or a few layers on top of the body that turn its hidden states into the output a task needs",
                R,
                "Yes: `AutoModelForSequenceClassification` puts a classification head on the body (one logit per "
                "label); there are language-modeling heads, question-answering heads, token-classification "
                "heads, and so on. The same body can carry any of them.",
            ),
        ],
    ),
    _q(
        "ch2_q5",
        "2.9",
        5,
        "What is an `AutoModel`?",
        [
            (
                "A model that trains itself on your data",
                W,
                "Nothing is trained when you load a model. (Hugging Face's AutoTrain, a separate product, does "
                "automatic training; `AutoModel` does not.)",
            ),
            (
                "A class that reads a checkpoint's configuration and builds the architecture it names",
                R,
                "`AutoModel.from_pretrained(name)` reads `model_type` in the checkpoint's `config.json` and "
                "returns the matching class, e.g. a `BertModel`, with its weights. Offline here, "
                "bert-base-uncased resolves to the MiniLM stand-in, which is a BERT, so you get a `BertModel` too.",
            ),
            (
                "A model that detects the language of its input and loads the weights for that language",
                W,
                "No class chooses weights by language. Some checkpoints are multilingual; choosing one that "
                "covers your languages (on the Hub) is your job.",
            ),
        ],
    ),
    _q(
        "ch2_q6",
        "2.9",
        6,
        "Sequences of different lengths go into one batch. Which techniques do you need to know about? "
        "Choose every one that applies.",
        [
            (
                "Truncation",
                R,
                "It cuts sequences longer than a maximum (the model's limit, or `max_length`), so that no row is "
                "longer than the model accepts. Useful, but it does not make short rows longer.",
            ),
            (
                "Returning tensors",
                W,
                '`return_tensors="pt"` is how you ask for tensors, but it does not make rows the same length: on '
                "rows of different lengths it fails unless you also pad.",
            ),
            (
                "Padding",
                R,
                "It fills the short sequences with the padding token up to the longest of the batch (or a fixed "
                "length), so the batch is a rectangle.",
            ),
            (
                "Attention masks",
                R,
                "They tell the model which positions are padding, so attention ignores them. Without the mask "
                "the padded sentence's outputs change (notebook 04 shows it).",
            ),
        ],
        multiple=True,
    ),
    _q(
        "ch2_q7",
        "2.9",
        7,
        "Why apply a softmax to the logits of a sequence-classification model? Choose every right reason.",
        [
            (
                "It makes the logits more reliable.",
                W,
                "A softmax is a fixed rescaling that keeps the order of the classes: the predicted label, and how "
                "reliable the model is, do not change.",
            ),
            (
                "It puts every score between 0 and 1.",
                R,
                "Each output lies between 0 and 1, whatever the logits were (even negative ones).",
            ),
            (
                "The outputs add up to 1, so they can be read as probabilities.",
                R,
                "Yes. Models return logits rather than probabilities because the training loss (cross-entropy) "
                "applies the softmax itself, in a numerically safer combined form.",
            ),
        ],
        multiple=True,
    ),
    _q(
        "ch2_q8",
        "2.9",
        8,
        "Which call is most of the tokenizer API built around?",
        [
            (
                "`encode`, which turns text into ids and ids into predictions",
                W,
                "`tokenizer.encode` exists, but it returns the ids only (no attention mask), and nothing on a "
                "tokenizer makes predictions: that is the model's job.",
            ),
            (
                "Calling the tokenizer itself: `tokenizer(texts, ...)`",
                R,
                "That one call tokenizes, converts to ids, adds the special tokens, pads, truncates, builds the "
                "attention mask and returns tensors. (The original course's explanation adds that it also gets "
                "predictions from a model; it does not: you call the model yourself.)",
            ),
            (
                "`pad`",
                W,
                "Padding is one step among several; `tokenizer(texts, padding=True)` does it for you.",
            ),
            (
                "`tokenize`",
                W,
                "Handy for looking at the tokens, but it stops at strings: no ids, no special tokens, no mask.",
            ),
        ],
        changed="The original explanation of the right option says the call also gets predictions from a "
        "model; ours says what the call does.",
    ),
    _q(
        "ch2_q9",
        "2.9",
        9,
        "What is in `result` after this code?",
        [
            (
                "A list of strings, one per token",
                R,
                "Yes: here `['hello', '!']` (the uncased tokenizer lower-cases). `convert_tokens_to_ids` turns "
                "them into ids for the model.",
            ),
            (
                "A list of ids",
                W,
                "Ids come from `tokenizer.convert_tokens_to_ids(tokens)`, or from `tokenizer(text)['input_ids']`.",
            ),
            (
                "One string holding all the tokens",
                W,
                "The whole point of tokenizing is to split the string into several pieces.",
            ),
        ],
        code='from transformers import AutoTokenizer\n\ntokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")'
        '\nresult = tokenizer.tokenize("Hello!")',
        changed="The course loads bert-base-cased, which has no offline stand-in here; with bert-base-uncased "
        "you can run the snippet in this notebook, and the answer is the same.",
    ),
    _q(
        "ch2_q10",
        "2.9",
        10,
        "Is something wrong with this code?",
        [
            (
                "No, it looks right.",
                W,
                "The tokenizer and the model come from different checkpoints. BERT's ids mean other tokens in "
                "GPT-2's vocabulary (a different algorithm and size), so even when it runs, the output means "
                "nothing.",
            ),
            (
                "The tokenizer and the model should come from the same checkpoint.",
                R,
                "Yes: a model only understands the ids of the tokenizer it was trained with. Load both from the "
                "same name.",
            ),
            (
                "It should pad and truncate, because every input is a batch.",
                W,
                'A single text is already a batch of one (`return_tensors="pt"` adds that dimension). Padding '
                "and truncation even out several texts; they cannot fix a mismatched vocabulary.",
            ),
        ],
        code="from transformers import AutoModel, AutoTokenizer\n\ntokenizer = AutoTokenizer.from_pretrained("
        '"bert-base-cased")\nmodel = AutoModel.from_pretrained("gpt2")\n\nencoded = tokenizer("Hey!", '
        'return_tensors="pt")\nresult = model(**encoded)',
    ),
]

CH3_2 = [
    _q(
        "ch3_2_q1",
        "3.2",
        1,
        "What do you mainly gain with `Dataset.map(function, batched=True)`?",
        [
            (
                "It uses less memory.",
                W,
                "Not its point: a batch of examples (1,000 by default) is handled at once, which if anything "
                "holds more in memory than one example.",
            ),
            (
                "Your function gets many examples at once, so a fast tokenizer tokenizes them together, much "
                "faster.",
                R,
                "Yes: the function receives lists (1,000 examples by default) and the fast tokenizer, written "
                "in Rust, processes a whole list in one call.",
            ),
            (
                "It pads the examples for you.",
                W,
                "`map` does exactly what your function does, nothing more. Padding each batch at training time "
                "is the data collator's job (`DataCollatorWithPadding`).",
            ),
            (
                "It turns the data into PyTorch tensors.",
                W,
                '`map` stores Arrow columns. Tensors come from `set_format("torch")` (or `with_format`), or '
                "from the data collator when batches are built.",
            ),
        ],
    ),
    _q(
        "ch3_2_q2",
        "3.2",
        2,
        "Why pad dynamically (each batch to its own longest sequence) rather than every sequence to the "
        "longest of the whole dataset?",
        [
            (
                "The model architecture requires it.",
                W,
                "A model accepts any padding, as long as the attention mask marks it. Fixed lengths work too "
                "(and some accelerators, such as TPUs, prefer them).",
            ),
            (
                "Batches only get as long as their longest sequence, so less computation goes into padding.",
                R,
                "Yes: most batches are much shorter than the longest sequence of the dataset, and every "
                "padding position costs computation. Notebook 06 compares the amount of padding both ways.",
            ),
            (
                "It makes the model more accurate.",
                W,
                "With the attention mask, padding does not change the predictions (up to rounding): the gain "
                "is speed, not accuracy.",
            ),
            (
                "`DataCollatorWithPadding` cannot work otherwise.",
                W,
                "The collator makes dynamic padding easy, but it can pad to a fixed length too "
                '(`padding="max_length"`), and you can pad in the tokenizer instead.',
            ),
        ],
    ),
    _q(
        "ch3_2_q3",
        "3.2",
        3,
        "What do the `token_type_ids` tell a BERT model?",
        [
            (
                "The position of each token in the sequence.",
                W,
                "Positions are not an input field: the model adds position embeddings from each token's index.",
            ),
            (
                "Which of the two sentences of a pair each token belongs to.",
                R,
                "0 for `[CLS]`, the first sentence and its `[SEP]`; 1 for the second sentence and its `[SEP]`. "
                "Not every model uses them: DistilBERT's tokenizer does not return them.",
            ),
            (
                "Which tokens to pay attention to.",
                W,
                "That is the `attention_mask`, another field.",
            ),
            (
                "Each token's id in the vocabulary.",
                W,
                "That is `input_ids`.",
            ),
        ],
    ),
    _q(
        "ch3_2_q4",
        "3.2",
        4,
        'In `load_dataset("glue", "mrpc")`, what does the second argument choose?',
        [
            (
                "The version of the dataset.",
                W,
                "A version (a branch or commit of the dataset's repository) is chosen with `revision=`.",
            ),
            (
                "Which task of the GLUE benchmark to load (its configuration).",
                R,
                "GLUE is a collection of tasks (MRPC, SST-2, CoLA, ...); the second argument is the "
                "configuration's name (the `name=` parameter).",
            ),
            (
                "The split: train, validation or test.",
                W,
                "Without more, every split comes back together, in a `DatasetDict`. To load one, pass "
                '`split="train"`: a keyword, not the second argument.',
            ),
            (
                "The format the data is returned in.",
                W,
                'The format is chosen afterwards, with `set_format` or `with_format` (e.g. "torch").',
            ),
        ],
        changed="The original explanation says splits cannot be chosen in the `load_dataset` call; they can, "
        "with `split=`. Ours says so.",
    ),
    _q(
        "ch3_2_q5",
        "3.2",
        5,
        "Before its own training loop, section 3.4 removes the `sentence1`, `sentence2` and `idx` columns. "
        "Why?",
        [
            (
                "To save memory during training.",
                W,
                "A little, perhaps, but that is not the reason.",
            ),
            (
                "The data collator cannot turn text into tensors, so building the batches would fail.",
                R,
                "`DataCollatorWithPadding` pads the ids, but on a column of strings it raises `ValueError: Unable "
                "to create tensor ...`. (The model would not object: in transformers 5, BERT's forward ignores "
                "keyword arguments it does not use, such as `idx`. And the `Trainer` of section 3.3 drops the "
                "columns the model does not take by itself: `remove_unused_columns=True` is the default.)",
            ),
            (
                "These columns are not needed for evaluation.",
                W,
                "True, but that is not why: with text in them, the batches of the training loop could not be built.",
            ),
            (
                "It makes training much faster.",
                W,
                "The model never reads those columns, so removing them hardly changes the speed; it avoids "
                "errors.",
            ),
        ],
        changed="The original asks why these columns are removed \u201cbefore training\u201d, and says the model "
        "would raise an error on them. With the Trainer you need not remove them (it drops unused columns "
        "itself), and in transformers 5 the model ignores extra keyword arguments: it is the data collator "
        "that fails on text. Ours asks about the loop of section 3.4 and says so.",
    ),
]

CH3_3 = [
    _q(
        "ch3_3_q1",
        "3.3",
        1,
        "What is `Trainer(..., processing_class=tokenizer)` for?",
        [
            (
                "It chooses the model architecture.",
                W,
                "The architecture comes from the model you pass, loaded with `from_pretrained`.",
            ),
            (
                "It tells the Trainer which tokenizer (more generally, which preprocessing object) goes with the "
                "model.",
                R,
                "The Trainer saves it with every checkpoint, and when you give no `data_collator` it builds a "
                "`DataCollatorWithPadding` from it. In transformers 5 this is the only name: older versions of "
                "the course wrote `Trainer(tokenizer=...)`, which is gone.",
            ),
            (
                "It sets the batch size.",
                W,
                "The batch size is `per_device_train_batch_size` in `TrainingArguments`.",
            ),
            (
                "It decides how often to evaluate.",
                W,
                "That is `eval_strategy` in `TrainingArguments`.",
            ),
        ],
        changed="transformers 5 removed `Trainer(tokenizer=...)`; `processing_class` is its replacement.",
    ),
    _q(
        "ch3_3_q2",
        "3.3",
        2,
        "Which `TrainingArguments` parameter decides when evaluation runs during training?",
        [
            (
                "`eval_frequency`",
                W,
                "There is no such parameter: `TrainingArguments` raises a `TypeError` for a name it does not know.",
            ),
            (
                "`eval_strategy`",
                R,
                '`"no"` (the default), `"steps"` (every `eval_steps` steps) or `"epoch"` (at the end of each epoch).',
            ),
            (
                "`evaluation_strategy`",
                W,
                "That is the old name, still in older versions of the course. transformers 5 no longer accepts "
                "it: `TypeError: ... unexpected keyword argument 'evaluation_strategy'`.",
            ),
            (
                "`eval_steps`",
                W,
                'It sets the interval, in steps, and counts only when `eval_strategy="steps"`.',
            ),
        ],
        changed="The old name `evaluation_strategy` is now an option (transformers 5 rejects it). The "
        "original's option `do_eval` is gone from ours: its explanation says the parameter no longer exists, "
        "but `TrainingArguments` still has it (it only records your intent; `eval_strategy` decides).",
    ),
    _q(
        "ch3_3_q3",
        "3.3",
        3,
        "What does `fp16=True` in `TrainingArguments` turn on?",
        [
            (
                "16-bit integer arithmetic, for faster training.",
                W,
                "*fp* stands for floating point: these are 16-bit floats, not integers.",
            ),
            (
                "Mixed-precision training: much of the computation in 16-bit floats, for speed and memory.",
                R,
                "The weights stay in 32 bits; most matrix products run in 16-bit floats, and the loss is scaled "
                "so that small gradients do not vanish. The gains come on GPUs with fast 16-bit arithmetic; on "
                "recent ones `bf16=True` is the alternative.",
            ),
            (
                "Training for exactly 16 epochs.",
                W,
                "The number of epochs is `num_train_epochs`.",
            ),
            (
                "Training on 16 GPUs.",
                W,
                "How many processes and GPUs run is decided when you launch the script (`torchrun`, "
                "`accelerate launch`), not by `fp16`.",
            ),
        ],
    ),
    _q(
        "ch3_3_q4",
        "3.3",
        4,
        "What does the `compute_metrics` function given to the `Trainer` do?",
        [
            (
                "It computes the loss during training.",
                W,
                "The model computes the loss itself when the batch holds `labels`.",
            ),
            (
                "It turns the predictions and labels of an evaluation into metrics such as accuracy and F1.",
                R,
                "It receives an `EvalPrediction` (the logits and the labels), takes the argmax and returns a dict "
                'of metrics, e.g. from `evaluate.load("glue", "mrpc")`.',
            ),
            (
                "It chooses the optimizer.",
                W,
                "The Trainer builds the optimizer (AdamW by default; `optim=` in `TrainingArguments`, or "
                "`optimizers=` in the Trainer, to change it).",
            ),
            (
                "It preprocesses the training data.",
                W,
                "Preprocessing happens before training, with `Dataset.map`.",
            ),
        ],
    ),
    _q(
        "ch3_3_q5",
        "3.3",
        5,
        "You build a `Trainer` without an `eval_dataset`, and leave `eval_strategy` at its default. What "
        "happens?",
        [
            (
                "Training fails with an error.",
                W,
                'Not with the default `eval_strategy="no"`. (With `eval_strategy="epoch"` or `"steps"` and no '
                "evaluation set, transformers 5 refuses at once, when the Trainer is built.)",
            ),
            (
                "The Trainer splits off part of the training data to evaluate on.",
                W,
                "The Trainer never makes a validation split for you: `Dataset.train_test_split` does, if you ask.",
            ),
            (
                "Training works; you just get no evaluation metrics during training.",
                R,
                "Evaluation is optional. You can still call `trainer.evaluate(some_dataset)` or "
                "`trainer.predict(...)` afterwards.",
            ),
            (
                "The model is evaluated on the training data instead.",
                W,
                "The Trainer does not substitute the training data: it simply does not evaluate.",
            ),
        ],
        changed="The original asks only \u201cwithout an eval_dataset\u201d. In transformers 5 the answer "
        'depends on `eval_strategy`: with "epoch" or "steps" the Trainer raises a ValueError when it is '
        "built, so ours fixes it to the default.",
    ),
    _q(
        "ch3_3_q6",
        "3.3",
        6,
        "What is gradient accumulation, and how do you turn it on?",
        [
            (
                "It saves the gradients to disk; `save_gradients=True`.",
                W,
                "Nothing is written to disk, and there is no such argument.",
            ),
            (
                "It adds up the gradients of several batches before one optimizer step; "
                "`gradient_accumulation_steps`.",
                R,
                "With `gradient_accumulation_steps=4` and batches of 8, each update sees 32 examples: a larger "
                "effective batch than fits in memory at once.",
            ),
            (
                "It speeds up computing gradients; it comes on with `fp16`.",
                W,
                "It does not make gradients faster, and it is independent of precision: it trades more small "
                "steps for one larger update.",
            ),
            (
                "It stops gradients from overflowing; `gradient_clipping=True`.",
                W,
                "That describes gradient clipping, which is another technique: in `TrainingArguments` it is "
                "`max_grad_norm` (1.0 by default).",
            ),
        ],
    ),
]

CH3_4 = [
    _q(
        "ch3_4_q1",
        "3.4",
        1,
        "What is the main difference between the Adam and AdamW optimizers?",
        [
            (
                "AdamW uses a different learning-rate schedule.",
                W,
                "The schedule is a separate object (`get_scheduler`), used with either optimizer.",
            ),
            (
                "AdamW applies weight decay separately from the gradient-based update.",
                R,
                "Adam with `weight_decay` adds the decay to the gradient, where the adaptive scaling distorts "
                "it; AdamW shrinks the weights directly, decoupled from that scaling, which regularizes better.",
            ),
            (
                "AdamW only works with Transformer models.",
                W,
                "AdamW works with any PyTorch model.",
            ),
            (
                "AdamW needs less memory than Adam.",
                W,
                "Both keep the same state: two running averages per parameter.",
            ),
            (
                "AdamW is imported from transformers: `from transformers import AdamW`.",
                W,
                "Older versions of the course did this, but transformers removed its own AdamW in version 4.50: "
                "use `torch.optim.AdamW`. Its defaults differ from the old class: `weight_decay` 0.01 (not 0.0) "
                "and `eps` 1e-8 (not 1e-6).",
            ),
        ],
        changed="A fifth option: transformers removed its own `AdamW` in 4.50, and the course now imports it "
        "from `torch.optim`.",
    ),
    _q(
        "ch3_4_q2",
        "3.4",
        2,
        "One training step of the loop in section 3.4, with its learning-rate scheduler: in which order?",
        [
            (
                "Forward pass, backward pass, zero the gradients, optimizer step",
                W,
                "Zeroing after the backward pass throws away the gradients it just computed: the optimizer step "
                "would see zeros.",
            ),
            (
                "Forward pass, backward pass, optimizer step, scheduler step, zero the gradients",
                R,
                "The section's order: compute the loss, its gradients, update the weights, update the learning "
                "rate, clear the gradients for the next batch. (Clearing them at the start of each step instead "
                "works just as well.)",
            ),
            (
                "Zero the gradients, forward pass, optimizer step, backward pass",
                W,
                "The optimizer step needs the gradients of this batch, so it must come after the backward pass.",
            ),
            (
                "Forward pass, backward pass, scheduler step, optimizer step, zero the gradients",
                W,
                "The scheduler moves after the optimizer: stepping it first skips the first learning rate of "
                "the schedule, and PyTorch warns about that order.",
            ),
        ],
        changed="The original marks \u201cforward, zero the gradients, backward, step\u201d wrong, saying zeroing "
        "there erases the new gradients; it does not (the forward pass makes no gradients), so ours replaces "
        "that option with the scheduler stepping first.",
    ),
    _q(
        "ch3_4_q3",
        "3.4",
        3,
        "What does the \U0001f917 Accelerate library mainly help with?",
        [
            (
                "Training faster by optimizing the model's forward pass.",
                W,
                "Accelerate does not change your model's computation.",
            ),
            (
                "Choosing the best hyperparameters automatically.",
                W,
                "It does no hyperparameter search.",
            ),
            (
                "Running the same training loop on one or many GPUs or TPUs (and in mixed precision) with few "
                "changes.",
                R,
                "It places the model and batches on the right devices, and handles the processes, gradient "
                "synchronisation and mixed precision, so one script runs anywhere.",
            ),
            (
                "Converting models to other frameworks such as TensorFlow.",
                W,
                "Accelerate is for PyTorch and converts nothing; and transformers 5 dropped TensorFlow "
                "altogether.",
            ),
        ],
    ),
    _q(
        "ch3_4_q4",
        "3.4",
        4,
        "Why does the loop move every batch to `device`?",
        [
            (
                "To make training faster.",
                W,
                "The copy itself costs time; the reason is that the computation cannot run otherwise.",
            ),
            (
                "The model's weights and its inputs must be on the same device (CPU or GPU).",
                R,
                "PyTorch computes only on tensors of one device; otherwise it raises a `RuntimeError` (\u201cExpected "
                "all tensors to be on the same device\u201d). On a CPU-only machine `device` is the CPU and the move "
                "changes nothing.",
            ),
            (
                "To save memory.",
                W,
                "Moving a batch does not make it smaller.",
            ),
            (
                "The DataLoader needs it.",
                W,
                "The DataLoader hands out CPU tensors and knows nothing of the model's device.",
            ),
        ],
    ),
    _q(
        "ch3_4_q5",
        "3.4",
        5,
        "What does `model.eval()` do before evaluation?",
        [
            (
                "It freezes the parameters so that nothing can update them.",
                W,
                "`requires_grad` does not change. Freezing is `parameter.requires_grad_(False)`.",
            ),
            (
                "It switches layers such as dropout (and batch norm) to their inference behaviour.",
                R,
                "Dropout is off, so the same input always gives the same output; batch norm would use its running "
                "statistics. `model.train()` switches back.",
            ),
            (
                "It turns gradients on, for the evaluation metrics.",
                W,
                "It does not touch gradients at all; to turn them off during evaluation you use "
                "`torch.no_grad()`.",
            ),
            (
                "It computes the evaluation metrics.",
                W,
                "It only changes how some layers behave; the metrics are yours to compute.",
            ),
        ],
    ),
    _q(
        "ch3_4_q6",
        "3.4",
        6,
        "What is `with torch.no_grad():` for during evaluation?",
        [
            (
                "It stops the model from making predictions.",
                W,
                "The model predicts as usual; only the bookkeeping for gradients stops.",
            ),
            (
                "It turns off gradient tracking, which saves memory and time.",
                R,
                "No graph of the computation is recorded, since evaluation needs no gradients. "
                "(`torch.inference_mode()` is a stricter variant.)",
            ),
            (
                "It puts the model in evaluation mode.",
                W,
                "Dropout stays on under `no_grad`: evaluation mode is `model.eval()`. You want both.",
            ),
            (
                "It makes results the same from run to run.",
                W,
                "Reproducibility comes from seeds (`transformers.set_seed`) and from `model.eval()` (no dropout).",
            ),
        ],
    ),
    _q(
        "ch3_4_q7",
        "3.4",
        7,
        "What changes in the training loop when you use \U0001f917 Accelerate?",
        [
            (
                "You rewrite the whole loop from scratch.",
                W,
                "The loop stays; a few lines change.",
            ),
            (
                "Model, optimizer and dataloaders go through `accelerator.prepare(...)`, and "
                "`accelerator.backward(loss)` replaces `loss.backward()`.",
                R,
                "Those are the main changes, and the `.to(device)` calls go away: `prepare` places everything.",
            ),
            (
                "You write the number of GPUs into your code.",
                W,
                "Accelerate finds the hardware; you describe a setup once with `accelerate config` and start "
                "with `accelerate launch`.",
            ),
            (
                "You need another optimizer and scheduler.",
                W,
                "You keep the same ones; `prepare` wraps them.",
            ),
        ],
    ),
]

CH3_5 = [
    _q(
        "ch3_5_q1",
        "3.5",
        1,
        "The training loss keeps falling, but the validation loss has started to rise. What does that "
        "usually mean?",
        [
            (
                "The model is learning well and will keep improving.",
                W,
                "A rising validation loss is a warning, not progress: the model does worse on data it has not "
                "seen.",
            ),
            (
                "The model is overfitting the training data.",
                R,
                "It fits the training set ever better while generalizing worse. The best model is the one from "
                "before the rise (early stopping, `load_best_model_at_end=True`).",
            ),
            (
                "The learning rate is too low.",
                W,
                "Too low a rate makes both curves fall slowly; it does not pull them apart.",
            ),
            (
                "The dataset is too small.",
                W,
                "A small dataset makes overfitting likelier, but the pattern itself is overfitting, whatever the "
                "size.",
            ),
        ],
    ),
    _q(
        "ch3_5_q2",
        "3.5",
        2,
        "Why does an accuracy curve often climb in steps and plateaus rather than smoothly?",
        [
            (
                "The accuracy is computed wrongly.",
                W,
                "Steps are normal for accuracy; nothing is wrong.",
            ),
            (
                "Accuracy counts discrete decisions: it changes only when an example crosses the decision "
                "boundary.",
                R,
                "The loss moves with every small change of confidence; the accuracy only when a prediction flips. "
                "On a small validation set each flip is a visible step (1/N).",
            ),
            (
                "The model is not learning well.",
                W,
                "Steppy accuracy curves are normal even when the model learns well.",
            ),
            (
                "The batch size is too small.",
                W,
                "Batch size affects how noisy training is, not the discrete nature of accuracy.",
            ),
        ],
    ),
    _q(
        "ch3_5_q3",
        "3.5",
        3,
        "Your learning curves jump up and down wildly. What is the best first move?",
        [
            (
                "Raise the learning rate, to converge sooner.",
                W,
                "Larger steps make the jumps larger.",
            ),
            (
                "Lower the learning rate, and perhaps use larger batches.",
                R,
                "Smaller steps and less noisy gradients (larger batches, or gradient accumulation) usually "
                "steady the curves.",
            ),
            (
                "Stop training: this model will not improve.",
                W,
                "Erratic curves are usually fixed by the hyperparameters, not a reason to give up.",
            ),
            (
                "Switch to a completely different architecture.",
                W,
                "Too early: try the learning rate and batch size first.",
            ),
        ],
    ),
    _q(
        "ch3_5_q4",
        "3.5",
        4,
        "When should you consider early stopping?",
        [
            (
                "Always, since it prevents every kind of overfitting.",
                W,
                "It is useful, not always needed, and it prevents only overtraining past the best point.",
            ),
            (
                "When the validation metric stops improving or gets worse.",
                R,
                "Stop once the model no longer generalizes better. In the Trainer: `EarlyStoppingCallback("
                "early_stopping_patience=...)`, which needs `metric_for_best_model`; add "
                "`load_best_model_at_end=True` to end with the best weights rather than the last.",
            ),
            (
                "Only while the training loss is still falling fast.",
                W,
                "A fast-falling training loss with a good validation score is a reason to keep training.",
            ),
            (
                "Never, because it keeps the model from its full potential.",
                W,
                "Stopping at the best validation point often gives the better model.",
            ),
        ],
    ),
    _q(
        "ch3_5_q5",
        "3.5",
        5,
        "What suggests that your model is underfitting?",
        [
            (
                "Training accuracy is far above validation accuracy.",
                W,
                "That gap is the sign of overfitting.",
            ),
            (
                "Training and validation scores are both poor, and both level off early.",
                R,
                "The model does not even fit the training data: it lacks capacity, training time, or a suitable "
                "learning rate.",
            ),
            (
                "The curves are very smooth, without any noise.",
                W,
                "Smooth curves are usually a good sign, not underfitting.",
            ),
            (
                "The validation loss falls faster than the training loss.",
                W,
                "Not a sign of underfitting. Early in training it often happens because dropout is active "
                "while the training loss is measured, and off during validation.",
            ),
        ],
    ),
]

CHAPTER3 = CH3_2 + CH3_3 + CH3_4 + CH3_5
CHAPTERS = {2: CHAPTER2, 3: CHAPTER3}
