"""A transformers model from the store as an ensemble member: NLI zero-shot or IPTC classifier.

Two kinds of model are taken, told apart by their labels:

- an NLI model (labels ``entailment``/``neutral``/``contradiction``, e.g. an XNLI fine-tune):
  zero-shot, each top-level topic's name in the text's language is a hypothesis ("Ce texte parle
  de Sport."), the entailment scores softmaxed across topics;
- a sequence classifier whose labels are IPTC qcodes (any level): each label's probability goes
  to its top-level topic.

Texts longer than the model reads are truncated by its tokenizer (the segments are 1-3 minutes).
"""

from __future__ import annotations

import os

import numpy as np

from regie.errors import PermanentError
from regie.tagging.taggers.base import TaggerContext, normalise_rows

HYPOTHESES = {"fr": "Ce texte parle de {}.", "en": "This text is about {}."}
NLI_LABELS = {"entailment", "neutral", "contradiction"}


class TransformerTagger:
    name = "transformer"

    def __init__(self, context: TaggerContext) -> None:
        if context.transformer is None or context.models is None:
            raise PermanentError("transformer", "no transformers model named in the store")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from transformers import AutoConfig, pipeline

        self.vocabulary = context.vocabulary
        self.tops = [top.qcode for top in context.vocabulary.tops]
        path = str(context.models.resolve(context.transformer).path)
        labels = {str(label) for label in AutoConfig.from_pretrained(path).id2label.values()}
        if {label.lower() for label in labels} >= NLI_LABELS:
            self.kind = "nli"
        elif all(label in context.vocabulary.by_qcode for label in labels):
            self.kind = "iptc"
        else:
            raise PermanentError(context.transformer, "labels are neither NLI nor IPTC qcodes",
                                 f"labels: {', '.join(sorted(labels)[:5])}")  # fmt: skip
        task = "zero-shot-classification" if self.kind == "nli" else "text-classification"
        # transformers overloads pipeline() by literal task; this one is one of the two above
        self.pipeline = pipeline(task, model=path, device=-1)  # type: ignore[call-overload]

    def top_scores(self, texts: list[str], language: str) -> np.ndarray:
        if self.kind == "nli":
            return self._zero_shot(texts, language)
        scores = np.zeros((len(texts), len(self.tops)))
        results = self.pipeline(texts, top_k=None, truncation=True)
        for row, labelled in enumerate(results):
            for result in labelled:
                top = self.vocabulary.top_of(result["label"]).qcode
                scores[row, self.tops.index(top)] += result["score"]
        return normalise_rows(scores)

    def _zero_shot(self, texts: list[str], language: str) -> np.ndarray:
        names = [top.name.get(language) or top.name["en"] for top in self.vocabulary.tops]
        template = HYPOTHESES.get(language, HYPOTHESES["en"])
        results = self.pipeline(
            texts, candidate_labels=names, multi_label=False, hypothesis_template=template
        )
        results = [results] if isinstance(results, dict) else results
        scores = np.zeros((len(texts), len(self.tops)))
        for row, result in enumerate(results):
            for name, score in zip(result["labels"], result["scores"], strict=True):
                scores[row, names.index(name)] = score
        return scores
