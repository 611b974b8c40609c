"""Prefect Block types holding configuration and secrets (object stores, model store, CDN).

Block types land with the orchestration work (issue 8); until then the flows read
:class:`regie.settings.Settings` from ``REGIE_*`` variables.
"""
