"""Shot detection backends; importing this package registers them all (heavy imports stay lazy)."""

from regie.shots.backends import fast

__all__ = ["fast"]
