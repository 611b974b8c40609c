"""Taggers by name: each scores texts against the 17 top-level IPTC Media Topics."""

from regie.tagging.taggers.base import TAGGERS, Tagger, TaggerContext, load_tagger

__all__ = ["TAGGERS", "Tagger", "TaggerContext", "load_tagger"]
