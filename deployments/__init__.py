"""Infrastructure: work-pool job templates, pool/queue/limit set-up, the bucket-event bridge.

The deployments themselves are declared in ``prefect.yaml`` at the project root.
"""
