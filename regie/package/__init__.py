"""Packaging for viewers: manifests that validate, subtitle tracks, the review page.

The transcode stage finishes the manifests of its CMAF segments from measurements
(:mod:`regie.package.finish`); the publish stage adds the text tracks and the audio's language
(:mod:`regie.package.release`) and refuses any package :mod:`regie.package.validate` rejects.
"""
