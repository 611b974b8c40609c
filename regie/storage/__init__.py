"""Object storage by URL with a residency guard."""

from regie.storage.objects import ObjectInfo, join_url, local_path, protocol_of
from regie.storage.residency import ResidencyPolicy, check_residency
from regie.storage.s3 import S3Config
from regie.storage.store import Storage, StoredObject, copy_hashing

__all__ = [
    "ObjectInfo",
    "ResidencyPolicy",
    "S3Config",
    "Storage",
    "StoredObject",
    "check_residency",
    "copy_hashing",
    "join_url",
    "local_path",
    "protocol_of",
]
