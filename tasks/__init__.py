"""One thin Prefect task per stage: retries, names and logs around a call into ``regie``."""
