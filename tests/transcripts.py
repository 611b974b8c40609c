"""Transcripts built from real text, published through the ASR stage as Whisper's would be."""

from __future__ import annotations

from regie.artefacts import Transcript
from regie.asr.stage import ASR, publish_transcript
from regie.asr.transcript import TranscribedWord, TranscriptDocument, TranscriptSegment
from regie.stage import NoOptions, StageContext, StageOutcome, run_stage

SENTENCE_S = 8.0


def text_transcript(
    context: StageContext, sentences: list[str], language: str | None, asset: str = "news"
) -> StageOutcome[Transcript]:
    """One segment per sentence, ``SENTENCE_S`` apart, words evenly timed."""
    segments = []
    for index, sentence in enumerate(sentences):
        start, tokens = index * SENTENCE_S, sentence.split()
        step = (SENTENCE_S - 1) / max(1, len(tokens))
        words = [TranscribedWord(text=t, start=start + i * step, end=start + (i + 1) * step)
                 for i, t in enumerate(tokens)]  # fmt: skip
        segments.append(
            TranscriptSegment(start=start, end=words[-1].end, text=sentence, words=words)
        )
    document = TranscriptDocument(
        asset_id=asset, language=language, duration=len(sentences) * SENTENCE_S, backend="text",
        model="reference-text", model_digest="0", segments=segments,
        reason=None if segments else "silence only",
    )  # fmt: skip
    inputs = {"text": str(hash(tuple(sentences))), "language": str(language)}
    return run_stage(
        ASR, asset, inputs, NoOptions(), context, lambda run: publish_transcript(document, run)
    )
