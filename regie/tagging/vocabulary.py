"""IPTC Media Topics: non-retired concepts with French and English names and definitions.

Shipped as package data (``data/mediatopics.json``, built from IPTC's CSV export and hierarchy
by ``python -m regie.tagging.vocabulary CSV HIERARCHY_JSON``), with the hierarchy to roll any
concept up to its top-level topic. IPTC Media Topics are © IPTC, CC BY 4.0
(``data/ATTRIBUTION.txt``).
"""

from __future__ import annotations

import json
import sys
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict

DATA_FILE = "mediatopics.json"
LANGUAGES = {"fr": "fr", "en": "en-GB"}


class Topic(BaseModel):
    """One Media Topic concept."""

    model_config = ConfigDict(frozen=True)

    qcode: str
    uri: str
    level: int
    parent: str | None
    top: str
    name: dict[str, str]
    definition: dict[str, str]

    def text(self, language: str) -> str:
        """Name and definition in ``language`` (English when that language has none)."""
        name = self.name.get(language) or self.name["en"]
        definition = self.definition.get(language) or self.definition.get("en", "")
        return f"{name}. {definition}".strip()


class Vocabulary:
    """The concepts by qcode, in file order, with the top-level ones apart."""

    def __init__(self, topics: list[Topic]) -> None:
        self.topics = topics
        self.by_qcode = {topic.qcode: topic for topic in topics}
        self.tops = [topic for topic in topics if topic.level == 1]

    def top_of(self, qcode: str) -> Topic:
        return self.by_qcode[self.by_qcode[qcode].top]


@cache
def load_vocabulary() -> Vocabulary:
    """The packaged vocabulary."""
    text = resources.files("regie.tagging").joinpath("data").joinpath(DATA_FILE).read_text("utf-8")
    return Vocabulary([Topic.model_validate(item) for item in json.loads(text)])


def build_vocabulary(csv: Path, hierarchy: Path) -> list[Topic]:
    """Non-retired concepts from IPTC's CSV export, placed by the hierarchy (parent, depth)."""
    table = pd.read_csv(csv, dtype=str).fillna("")
    table = table[table["RetiredDate"] == ""]
    tree = json.loads(hierarchy.read_text())
    topics = []
    for row in table.to_dict("records"):
        place = tree[row["NewsCode-QCode (flat)"]]
        names = {ours: row[f"Name ({theirs})"] for ours, theirs in LANGUAGES.items()}
        definitions = {ours: row[f"Definition ({theirs})"] for ours, theirs in LANGUAGES.items()}
        topics.append(Topic(
            qcode=row["NewsCode-QCode (flat)"], uri=row["NewsCode-URI"], level=place["depth"],
            parent=place["parent"], top=place["level1"],
            name={k: v for k, v in names.items() if v},
            definition={k: v for k, v in definitions.items() if v},
        ))  # fmt: skip
    return topics


if __name__ == "__main__":
    built = build_vocabulary(Path(sys.argv[1]), Path(sys.argv[2]))
    target = Path(__file__).with_name("data") / DATA_FILE
    target.write_text(json.dumps([t.model_dump() for t in built], ensure_ascii=False, indent=0))
    print(f"{len(built)} concepts -> {target}")
