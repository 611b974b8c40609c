"""How the ladder command names its audio versions: DASH roles and languages (pure).

The versions' streams themselves are built by :func:`regie.audio_layout.version_stream`.
"""

from __future__ import annotations

from regie.artefacts import AudioVersion

DASH_ROLES = {
    "programme": "main", "original": "alternate", "international": "supplementary",
    "description": "alternate", "other": "alternate",
}  # fmt: skip


def version_metadata(versions: list[AudioVersion], first_output: int) -> dict[str, str]:
    """Output options giving each audio stream its DASH role and language (ffmpeg's dash muxer
    writes them as the AdaptationSet's ``Role`` and ``lang``).

    Args:
        versions: The audio versions, in output order.
        first_output: Output index of the first audio stream (after the video streams).
    """
    options: dict[str, str] = {}
    for index, version in enumerate(versions):
        options[f"metadata:s:a:{index}"] = f"role={DASH_ROLES[version.role]}"
        if version.language:  # one value per key: the same stream again, by its absolute index
            options[f"metadata:s:{first_output + index}"] = f"language={version.language}"
    return options
