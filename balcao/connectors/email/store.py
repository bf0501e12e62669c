"""The raw store: each e-mail's bytes, as they arrived, in a file named by their SHA-256
(``mail/ab/abcd….eml`` under MEDIA_ROOT, never served as is), written before anything else.

A way in copies the message into a spool file beside the store in chunks, hashing as it goes
(``spool``), so that a message is never whole in memory; ``keep`` then moves it into place,
after it is on disk (fsync). The same bytes are one file, whoever they were addressed to.
Several messages that arrived together (``keep_all``) are written first and synced together:
concurrent fsyncs share the file system's journal commits, where one after another each waits
for its own (ext4 here: 20 files in 7–40 ms against 130–155 ms, `bench/README.md`).
"""

import hashlib
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.core.files.storage import default_storage

CHUNK = 1024 * 1024
FOLDER = "mail"
SYNC_THREADS = 16  # fsyncs in flight at once (keep_all)


_SYNCER: ThreadPoolExecutor


def _new_syncer() -> None:
    """The threads that issue a group's fsyncs at once, kept for the process (a pool starts its
    threads when first given work): started for each group, they cost ~0.15 ms a message of a
    group of 25 (issue 17). A forked child makes its own: the parent's threads are not in it."""
    global _SYNCER
    _SYNCER = ThreadPoolExecutor(max_workers=SYNC_THREADS, thread_name_prefix="mail-fsync")


_new_syncer()
os.register_at_fork(after_in_child=_new_syncer)


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


def spool_bytes(raw: bytes, *, sync: bool = True) -> Spooled:
    """A message a way in already holds (LMTP, IMAP), to a spool file; on disk unless not
    ``sync`` (``keep_all`` syncs several at once)."""
    handle, name = tempfile.mkstemp(prefix=".spool-", dir=_folder())
    with os.fdopen(handle, "wb") as out:
        out.write(raw)
        if sync:
            out.flush()
            os.fsync(out.fileno())
    return Spooled(Path(name), hashlib.sha256(raw).hexdigest(), len(raw))


def name_for(sha256: str) -> str:
    return f"{FOLDER}/{sha256[:2]}/{sha256}.eml"


def _move(spooled: Spooled) -> tuple[str, Path | None]:
    """Move the spool file into the store (or drop it: those bytes are already kept): the
    name to record, and the folder to sync (None: nothing moved)."""
    name = name_for(spooled.sha256)
    final = Path(default_storage.path(name))
    if final.exists():
        spooled.path.unlink(missing_ok=True)
        return name, None
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(spooled.path, final)
    return name, final.parent


def _fsync(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _fsync_all(paths: Sequence[Path]) -> None:
    """All on disk, their fsyncs issued at once (one commit of the journal for the lot)."""
    if len(paths) == 1:
        _fsync(paths[0])
    elif paths:
        list(_SYNCER.map(_fsync, paths))


def keep(spooled: Spooled) -> str:
    """Move the spool file (on disk already) into the store; the name to record."""
    name, folder = _move(spooled)
    if folder is not None:
        _fsync(folder)  # the rename itself survives a crash
    return name


def keep_all(raws: Sequence[bytes]) -> list[tuple[Spooled, str]]:
    """Several messages held in memory, kept together: written, synced at once, moved into
    the store, their folders synced at once. Each (spooled, name to record), in order."""
    spooled = [spool_bytes(raw, sync=False) for raw in raws]
    _fsync_all([s.path for s in spooled])
    moved = [_move(s) for s in spooled]
    _fsync_all(sorted({folder for _, folder in moved if folder is not None}))
    return [(s, name) for s, (name, _) in zip(spooled, moved, strict=True)]


def forget(names: set[str]) -> int:
    """Delete stored messages (erasure); how many files went."""
    deleted = 0
    for name in names:
        if name and default_storage.exists(name):
            default_storage.delete(name)
            deleted += 1
    return deleted
