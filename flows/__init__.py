"""Flows: which stages run, in what order, and where."""
