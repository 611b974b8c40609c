"""The ``regie`` command line."""
