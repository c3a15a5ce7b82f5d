"""Unpacking an uploaded ZIP of iWmo messages, refusing anything a hostile archive could do.

The national exchange allows at most 30 declaration messages per ZIP (../shared/docs/iwmo.md §5,
VECOZO). The portal takes a ZIP whose entries are all plain ``.xml`` files at its top level:

- at most :data:`MAX_ENTRIES` entries;
- no folders, no paths (``a/b.xml``, ``../x.xml``, ``/etc/x.xml``, ``C:\\x.xml``), no links, no
  encrypted entries, no two entries with the same name;
- every entry no larger than the upload limit, and compressed at most :data:`MAX_RATIO` to 1 (a
  "zip bomb" packs gigabytes in kilobytes); the sizes the archive claims are not trusted: each
  entry is read with a limit, so a lying header cannot make the portal read more.

A refusal is a Dutch message naming the entry; nothing of the archive is unpacked to disk.
"""

from __future__ import annotations

import io
import stat
import zipfile
from dataclasses import dataclass

MAX_ENTRIES = 30
MAX_RATIO = 200  # a generated WMO323 deflates 47 times; bombs do 1000 times and more
_READ_CHUNK = 64 * 1024


class ArchiveRefused(Exception):
    """The ZIP is refused as a whole; the message (Dutch) says why."""


@dataclass(frozen=True)
class Entry:
    name: str
    data: bytes


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06"


def unpack(data: bytes, max_entry_bytes: int) -> list[Entry]:
    """The entries of a ZIP, in archive order, or :class:`ArchiveRefused`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise ArchiveRefused("Het ZIP-bestand is beschadigd of geen ZIP-bestand; het kon niet "
                             "worden geopend.") from error
    if not infos:
        raise ArchiveRefused("Het ZIP-bestand is leeg.")
    if len(infos) > MAX_ENTRIES:
        raise ArchiveRefused(f"Het ZIP-bestand bevat {len(infos)} bestanden; de landelijke "
                             f"uitwisseling staat er hoogstens {MAX_ENTRIES} per ZIP toe.")
    seen: set[str] = set()
    for info in infos:
        _check_entry(info, seen, max_entry_bytes)
    return [Entry(info.filename, _read(archive, info, max_entry_bytes)) for info in infos]


def _check_entry(info: zipfile.ZipInfo, seen: set[str], max_entry_bytes: int) -> None:
    name = info.filename
    shown = name[:80]
    if info.is_dir() or "/" in name or "\\" in name or name.startswith("..") or ":" in name:
        raise ArchiveRefused(f"Het ZIP-bestand bevat '{shown}': een map of pad. Zet alleen "
                             f"berichten (.xml) in de ZIP, zonder mappen.")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise ArchiveRefused(f"'{shown}' in het ZIP-bestand is een snelkoppeling (link); die "
                             f"worden niet geopend.")
    if info.flag_bits & 0x1:
        raise ArchiveRefused(f"'{shown}' in het ZIP-bestand is versleuteld; lever de berichten "
                             f"onversleuteld aan.")
    if not name.lower().endswith(".xml"):
        raise ArchiveRefused(f"'{shown}' in het ZIP-bestand is geen .xml-bestand; een ZIP mag "
                             f"alleen iWmo-berichten bevatten.")
    if name in seen:
        raise ArchiveRefused(f"Het ZIP-bestand bevat '{shown}' twee keer.")
    seen.add(name)
    if info.file_size > max_entry_bytes:
        raise ArchiveRefused(f"'{shown}' is uitgepakt {_mb(info.file_size)}; de grens is "
                             f"{_mb(max_entry_bytes)} per bericht.")
    if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > _READ_CHUNK:
        raise ArchiveRefused(_bomb(shown))


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_entry_bytes: int) -> bytes:
    """Read an entry, stopping as soon as it is larger than allowed, whatever its header says."""
    limit = min(max_entry_bytes, MAX_RATIO * max(info.compress_size, 1) + _READ_CHUNK)
    parts: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_READ_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise ArchiveRefused(_bomb(info.filename[:80]) if limit < max_entry_bytes
                                         else f"'{info.filename[:80]}' is groter dan "
                                              f"{_mb(max_entry_bytes)}.")
                parts.append(chunk)
    except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError, OSError) as error:
        raise ArchiveRefused(f"'{info.filename[:80]}' in het ZIP-bestand kon niet worden "
                             f"uitgepakt (beschadigd of een onbekende compressie).") from error
    return b"".join(parts)


def _bomb(name: str) -> str:
    return (f"'{name}' in het ZIP-bestand is meer dan {MAX_RATIO} keer gecomprimeerd; zo'n "
            f"bestand wordt niet uitgepakt (bescherming tegen ZIP-bommen).")


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")
