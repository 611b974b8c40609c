"""Routes from bucket uploads to Prefect events: the webhook bridge and the queue consumer.

The third route, the polling watcher, is a flow (``flows/watch_bucket.py``) on a schedule.
"""
