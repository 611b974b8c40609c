"""Labelled topic text (TSV or CSV with ``category`` and ``text``, plus ``headline``/``title``)
and its mapping to IPTC top-level topics (``labels.<category>.iptc``: any of them is right)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd


def read_labelled(path: Path, mapping: Path) -> pd.DataFrame:
    """Columns ``text`` (title and body joined), ``category`` and ``gold`` (IPTC qcodes)."""
    table = pd.read_csv(path, sep="\t" if path.suffix == ".tsv" else ",", dtype=str).fillna("")
    labels = json.loads(mapping.read_text())["labels"]
    heading = next((c for c in ("headline", "title") if c in table.columns), None)
    text = table[heading] + ". " + table["text"] if heading else table["text"]
    return pd.DataFrame({
        "text": text.str.strip(),
        "category": table["category"],
        "gold": [labels[c]["iptc"] for c in table["category"]],
    })  # fmt: skip
