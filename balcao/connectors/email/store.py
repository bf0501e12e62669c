"""The raw store: each e-mail's bytes, as they arrived, in a file named by their SHA-256
(``mail/ab/abcd….eml`` under MEDIA_ROOT, never served as is), written before anything else.

A way in copies the message into a spool file beside the store in chunks, hashing as it goes
(``spool``), so that a message is never whole in memory; ``keep`` then moves it into place,
after it is on disk (fsync). The same bytes are one file, whoever they were addressed to.
"""

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.core.files.storage import default_storage

CHUNK = 1024 * 1024
FOLDER = "mail"


@dataclass(frozen=True)
class Spooled:
    """A message copied to a spool file, not yet kept."""

    path: Path
    sha256: str
    size: int


def _folder() -> Path:
    folder = Path(default_storage.path(FOLDER))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def spool(stream: BinaryIO, limit: int | None = None) -> Spooled | None:
    """Copy ``stream`` to a spool file; None (and nothing left behind) once it grows past
    ``limit`` bytes."""
    digest, size = hashlib.sha256(), 0
    handle, name = tempfile.mkstemp(prefix=".spool-", dir=_folder())
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if limit is not None and size > limit:
                    break
                digest.update(chunk)
                out.write(chunk)
            else:
                out.flush()
                os.fsync(out.fileno())
                return Spooled(Path(name), digest.hexdigest(), size)
    except BaseException:
        os.unlink(name)
        raise
    os.unlink(name)
    return None


def spool_bytes(raw: bytes) -> Spooled:
    """A message a way in already holds (LMTP, IMAP), to a spool file."""
    handle, name = tempfile.mkstemp(prefix=".spool-", dir=_folder())
    with os.fdopen(handle, "wb") as out:
        out.write(raw)
        out.flush()
        os.fsync(out.fileno())
    return Spooled(Path(name), hashlib.sha256(raw).hexdigest(), len(raw))


def name_for(sha256: str) -> str:
    return f"{FOLDER}/{sha256[:2]}/{sha256}.eml"


def keep(spooled: Spooled) -> str:
    """Move the spool file into the store (or drop it: those bytes are already kept); the
    name to record."""
    name = name_for(spooled.sha256)
    final = Path(default_storage.path(name))
    if final.exists():
        spooled.path.unlink(missing_ok=True)
        return name
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(spooled.path, final)
    directory = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a crash
    finally:
        os.close(directory)
    return name


def forget(names: set[str]) -> int:
    """Delete stored messages (erasure); how many files went."""
    deleted = 0
    for name in names:
        if name and default_storage.exists(name):
            default_storage.delete(name)
            deleted += 1
    return deleted
