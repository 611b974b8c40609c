"""Catalogue backfills: read and vet a catalogue, plan what is left to do, record what was done."""
