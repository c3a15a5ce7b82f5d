"""A ZIP of messages: what is unpacked, and every hostile archive refused with a Dutch message."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest

from portal.berichten.archive import MAX_ENTRIES, ArchiveRefused, is_zip, unpack

LIMIT = 1024 * 1024


def archive(*entries: tuple[str | zipfile.ZipInfo, bytes],
            compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zipped:
        for name, data in entries:
            zipped.writestr(name, data)
    return buffer.getvalue()


def refused(data: bytes, limit: int = LIMIT) -> str:
    with pytest.raises(ArchiveRefused) as caught:
        unpack(data, limit)
    return str(caught.value)


def test_messages_are_unpacked_in_order():
    data = archive(("a.xml", b"<a/>"), ("b.XML", b"<b/>"))
    assert is_zip(data)
    assert [(e.name, e.data) for e in unpack(data, LIMIT)] == [("a.xml", b"<a/>"),
                                                              ("b.XML", b"<b/>")]


def test_at_most_thirty_messages():
    assert len(unpack(archive(*((f"{n}.xml", b"<a/>") for n in range(MAX_ENTRIES))), LIMIT)) == 30
    message = refused(archive(*((f"{n}.xml", b"<a/>") for n in range(MAX_ENTRIES + 1))))
    assert "31 bestanden" in message and "hoogstens 30" in message


@pytest.mark.parametrize("name", ["map/a.xml", "../a.xml", "/etc/a.xml", "C:\\a.xml", "map/"])
def test_paths_and_folders_are_refused(name):
    assert "map of pad" in refused(archive((name, b"<a/>")))


def test_a_link_is_refused():
    link = zipfile.ZipInfo("a.xml")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    assert "snelkoppeling" in refused(archive((link, b"/etc/passwd")))


def test_an_encrypted_entry_is_refused():
    data = bytearray(archive(("a.xml", b"<a/>"), compression=zipfile.ZIP_STORED))
    # Set the "encrypted" flag in the local header (offset 6) and the central directory entry.
    data[6] |= 1
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 1
    assert "versleuteld" in refused(bytes(data))


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_other_files_and_twice_the_same_name_are_refused():
    assert "geen .xml-bestand" in refused(archive(("a.pdf", b"%PDF")))
    assert "twee keer" in refused(archive(("a.xml", b"<a/>"), ("a.xml", b"<b/>")))


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    message = refused(archive(("bom.xml", b"\0" * (20 * LIMIT))), limit=50 * LIMIT)
    assert "ZIP-bommen" in message


def test_an_entry_larger_than_the_limit_is_refused():
    text = "".join(f"<r>{n}</r>" for n in range(200_000)).encode()  # compresses < 100:1
    assert "de grens is" in refused(archive(("groot.xml", text)), limit=len(text) - 1)


def test_a_header_that_lies_about_the_size_cannot_make_the_portal_read_more():
    data = bytearray(archive(("a.xml", b"<a/>" + b"x" * (3 * LIMIT)),
                             compression=zipfile.ZIP_DEFLATED))
    # Claim 10 bytes uncompressed, in the central directory, where zipfile reads it from.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (10).to_bytes(4, "little")
    message = refused(bytes(data), limit=2 * LIMIT)
    assert "ZIP-bommen" in message or "kon niet worden uitgepakt" in message


@pytest.mark.parametrize("data", [b"PK\x03\x04 kapot", b"PK\x05\x06" + b"\0" * 18])
def test_broken_or_empty_zip_gets_a_message(data):
    message = refused(data)
    assert "beschadigd" in message or "leeg" in message
