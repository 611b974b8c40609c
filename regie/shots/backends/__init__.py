"""Shot detection backends; importing this package registers them all (heavy imports stay lazy)."""

from regie.shots.backends import fast, pyscenedetect, transnet

__all__ = ["fast", "pyscenedetect", "transnet"]
