"""Tiny transformers models with hand-set weights, for the store members of tagging.

They are BERTs with no transformer layer: a token's hidden state is its own embedding (position
and segment embeddings are zero, and the embeddings are chosen with zero mean and unit variance so
that LayerNorm leaves them alone). Setting the embeddings and the output layer by hand makes what
they predict known in advance, so the tests can assert on it: the NER model tags the words in
``PLACES`` as LOC and those in ``PEOPLE`` as PER. Sequence models read the [CLS] token only, so
their output is the same for every text: the output bias decides it.
"""

from __future__ import annotations

from pathlib import Path

import torch

PLACES = ("paris", "lyon", "marseille")
PEOPLE = ("moliere", "zidane")  # the tokenizer strips accents: "Molière" reads "moliere"
WORDS = ("le", "la", "à", "de", "et", "match", "vote", "pièce", "joue", "va")
VOCABULARY = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *PLACES, *PEOPLE, *WORDS)
PLACE, PERSON, OTHER = [1.0, -1.0, 1.0, -1.0], [1.0, 1.0, -1.0, -1.0], [-1.0, 1.0, -1.0, 1.0]
NER_LABELS = ("O", "B-LOC", "I-LOC", "B-PER", "I-PER")
NLI_LABELS = ("entailment", "neutral", "contradiction")


def _config(labels: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from transformers import BertConfig

    return BertConfig(
        vocab_size=len(VOCABULARY), hidden_size=4, num_hidden_layers=0, num_attention_heads=1,
        intermediate_size=4, max_position_embeddings=512,
        id2label=dict(enumerate(labels)), label2id={label: i for i, label in enumerate(labels)},
    )  # fmt: skip


def _set_embeddings(bert) -> None:  # type: ignore[no-untyped-def]
    embeddings = bert.embeddings
    for index, word in enumerate(VOCABULARY):
        vector = PLACE if word in PLACES else PERSON if word in PEOPLE else OTHER
        embeddings.word_embeddings.weight[index] = torch.tensor(vector)
    embeddings.position_embeddings.weight.zero_()
    embeddings.token_type_embeddings.weight.zero_()
    embeddings.LayerNorm.weight.fill_(1.0)
    embeddings.LayerNorm.bias.zero_()


def _save(model, target: Path) -> Path:  # type: ignore[no-untyped-def]
    from transformers import BertTokenizerFast

    target.mkdir(parents=True, exist_ok=True)
    vocab = target / "vocab.txt"
    vocab.write_text("\n".join(VOCABULARY) + "\n")
    BertTokenizerFast(str(vocab), do_lower_case=True, model_max_length=512).save_pretrained(target)
    model.save_pretrained(target)
    return target


def ner_folder(target: Path) -> Path:
    """Places are B-LOC, people B-PER, every other word O."""
    from transformers import BertForTokenClassification

    model = BertForTokenClassification(_config(NER_LABELS)).eval()
    with torch.no_grad():
        _set_embeddings(model.bert)
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
        for label, vector in (("O", OTHER), ("B-LOC", PLACE), ("B-PER", PERSON)):
            model.classifier.weight[NER_LABELS.index(label)] = 5 * torch.tensor(vector)
    return _save(model, target)


def sequence_folder(target: Path, labels: tuple[str, ...], bias: tuple[float, ...]) -> Path:
    """A sequence classifier that gives every text the softmax of ``bias`` over ``labels``."""
    from transformers import BertForSequenceClassification

    model = BertForSequenceClassification(_config(labels)).eval()
    with torch.no_grad():
        _set_embeddings(model.bert)
        model.classifier.weight.zero_()
        model.classifier.bias[:] = torch.tensor(bias)
    return _save(model, target)
