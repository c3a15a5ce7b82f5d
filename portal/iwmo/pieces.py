"""A large message read in pieces that a second thread parses while this one checks records.

Why: with ``iterparse`` the parsing (libxml2, about a third of the rule pass on a large WMO323) and
our Python code take turns in one thread. libxml2 parses a whole document without holding Python's
GIL, so a second thread can parse the next piece of the file while the rule pass checks the records
of the piece before (portal.iwmo.records walks the parsed pieces).

How: the Clients of a message are siblings, so the file can be cut just before a ``<p:Client>``
start tag. The bytes before the first Client (the *prefix*: declaration, root, Header, Declaratie
head, ``<Clienten>``), the Clients of one piece, and the closing tags after the last Client (the
*suffix*) form a document of their own. Why its Clients are exactly the file's: the piece is parsed
in the same context as in the whole file (the elements the prefix opened, with their namespaces),
and it parses only when it closes what it opened, as the suffix closes just the prefix's elements;
so every piece that parses is a run of the file's own Clients, on the same lines plus the line ends
of the pieces before it (libxml2 counts a line at each ``\\n``, as :meth:`bytes.count` does).

A cut can only be trusted where ``<p:Client>`` is a start tag. Text cannot hold a ``<``, but a
comment, CDATA section or processing instruction can, so a piece with one of those is not cut this
way; neither is a piece that does not parse or a run of more than :data:`MAX_PIECE_BYTES` without a
Client start tag (memory). Then :class:`PieceFailed` tells the record stream to read the file the
ordinary way (it starts over and skips the records it already handed out, so its reader sees one
sequence of records either way).
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import BinaryIO

from lxml import etree

from portal.iwmo.safe_xml import PARSER_OPTIONS

Opener = Callable[[], AbstractContextManager[BinaryIO]]

PIECE_BYTES = 1024 * 1024  # about this much of the file per piece: small enough to keep both
#                            threads busy from the start, large enough that the prefix is a rounding
MAX_PIECE_BYTES = 16 * 1024 * 1024  # a Client larger than this: read the ordinary way (memory)
PREFIX_LIMIT = 1024 * 1024  # the first Client must start within this many bytes
SUFFIX_LIMIT = 64 * 1024  # the last Client must end within this many bytes of the end
QUEUE_PIECES = 2  # parsed pieces waiting for the rule pass; each is about ten times its bytes

_SUFFIX = re.compile(rb"(?:\s*</[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?\s*>)*\s*")
_ROOT_NAME = re.compile(rb"<([A-Za-z_][\w.\-]*:)?[A-Za-z_][\w.\-]*")
# A Client start tag with any prefix or attributes: the prefix, part of every piece, has none.
_ANY_CLIENT = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?Client[\s/>]")
# Where a '<' may stand for something else than a tag: a comment or CDATA section ('<!'), a
# processing instruction ('<?').
_NOT_A_TAG = (b"<!", b"<?")


class PieceFailed(Exception):
    """This file cannot be read in pieces from here on; read it the ordinary way."""


class Pieces:
    """The pieces of one file, in order: (parsed piece, line ends before it since the first)."""

    def __init__(self, open_source: Opener, prefix: bytes, start: int, end: int, suffix: bytes,
                 client_tag: bytes):
        self._open_source = open_source
        self._prefix = prefix
        self._start, self._end = start, end  # the bytes of the Clients: file[start:end]
        self._suffix = suffix
        self.client_tag = client_tag

    @classmethod
    def plan(cls, open_source: Opener, size: int, head: bytes, root_start: int) -> Pieces | None:
        """The pieces of a file, or None when it cannot be cut (no Client near the start, or
        something after the last Client that is not a closing tag)."""
        name = _ROOT_NAME.match(head, root_start)
        if name is None:
            return None
        client_tag = b"<" + (name.group(1) or b"") + b"Client>"
        close_tag = b"</" + (name.group(1) or b"") + b"Client>"
        with open_source() as source:
            start_bytes = source.read(PREFIX_LIMIT)
            source.seek(max(0, size - SUFFIX_LIMIT))
            tail_start = source.tell()
            tail = source.read()
        start = start_bytes.find(client_tag)
        last = tail.rfind(close_tag)
        if start < 0 or last < 0:
            return None
        end = tail_start + last + len(close_tag)
        prefix, suffix = start_bytes[:start], tail[last + len(close_tag):]
        if end <= start or _not_a_tag(prefix[1:], b"", 0) or _ANY_CLIENT.search(prefix) or \
                not _SUFFIX.fullmatch(suffix):
            return None
        return cls(open_source, prefix, start, end, suffix, client_tag)

    def __iter__(self) -> Iterator[tuple[etree._ElementTree, int]]:
        """Parse in a second thread, hand out here. Raises PieceFailed (see the module)."""
        ready: queue.Queue = queue.Queue(QUEUE_PIECES)
        stop = threading.Event()
        thread = threading.Thread(target=self._produce, args=(ready, stop), name="iwmo-pieces",
                                  daemon=True)
        thread.start()
        try:
            while True:
                item = ready.get()
                if item is None:
                    return
                if isinstance(item, PieceFailed):
                    raise item
                yield item
                item = None  # the piece may go once its walker lets go of it
        finally:
            stop.set()
            while thread.is_alive():  # unblock a producer waiting for room, then let it end
                try:
                    ready.get(timeout=0.05)
                except queue.Empty:
                    pass

    def _produce(self, ready: queue.Queue, stop: threading.Event) -> None:
        def put(item) -> bool:
            while not stop.is_set():
                try:
                    ready.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        try:
            parser = etree.XMLParser(remove_blank_text=True, remove_comments=True,
                                     remove_pis=True, **PARSER_OPTIONS)
            lines = 0
            for carry, block, cut in self._cut():
                if stop.is_set():
                    return
                if _not_a_tag(carry, block, cut):
                    raise PieceFailed("a comment, CDATA section or processing instruction")
                # One copy of the piece, and fromstring: libxml2 parses it without asking for
                # the GIL again (parse() of a file object would, for every few kilobytes).
                document = b"".join((self._prefix, carry, memoryview(block)[:cut], self._suffix))
                try:
                    tree = etree.fromstring(document, parser).getroottree()
                except etree.XMLSyntaxError as error:
                    raise PieceFailed(str(error)) from None
                del document
                if not put((tree, lines)):
                    return
                lines += carry.count(b"\n") + block.count(b"\n", 0, cut)
            put(None)
        except PieceFailed as failed:
            put(failed)
        except Exception as error:  # any surprise: the ordinary way will meet it, or not
            put(PieceFailed(f"{type(error).__name__}: {error}"))

    def _cut(self) -> Iterator[tuple[bytes, bytes, int]]:
        """The file's Client bytes in pieces of about PIECE_BYTES, each starting at a Client: a
        piece is ``carry + block[:cut]``, the rest of the block before and this block up to the
        last Client start tag in it (kept apart, so that the piece is copied only once)."""
        tag = self.client_tag
        with self._open_source() as source:
            source.seek(self._start)
            remaining = self._end - self._start
            carry = b""
            while remaining:
                block = source.read(min(PIECE_BYTES, remaining))
                if not block:
                    raise PieceFailed("the file became shorter")
                remaining -= len(block)
                cut = block.rfind(tag) if remaining else len(block)
                if cut < 0 or (cut == 0 and not carry):  # no (second) Client starts: read on
                    carry += block
                    if len(carry) > MAX_PIECE_BYTES:
                        raise PieceFailed("no Client start tag in MAX_PIECE_BYTES")
                    continue
                if len(carry) + cut > MAX_PIECE_BYTES:
                    raise PieceFailed("no Client start tag in MAX_PIECE_BYTES")
                yield carry, block, cut
                carry = block[cut:]


def _not_a_tag(carry: bytes, block: bytes, cut: int) -> bool:
    """Whether the piece ``carry + block[:cut]`` has a '<!' or '<?' (also across the seam)."""
    seam = carry[-1:] + block[:1]
    return any(marker in carry or marker in seam or block.find(marker, 0, cut) >= 0
               for marker in _NOT_A_TAG)
