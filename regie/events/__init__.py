"""Bucket uploads as typed records: notification parsing, filters, key checks, listing diffs."""

from regie.events.notifications import NotificationError, parse_notification
from regie.events.uploads import InvalidKeyError, ObjectCreated, UploadFilter, check_key
from regie.events.watch import ListingState, diff_listing

__all__ = [
    "InvalidKeyError",
    "ListingState",
    "NotificationError",
    "ObjectCreated",
    "UploadFilter",
    "check_key",
    "diff_listing",
    "parse_notification",
]
