"""The records the rules check, streamed out of a message one at a time.

A *record* is an element whose content rules check together: the Header, a Prestatie, a
ToegewezenProduct. A *head* is an element with records inside it (Declaratie, Client): the children
it has before its first record (DeclaratieNummer, DeclaratiePeriode, ...; Bsn) form a head record
that is handed out just before that first record, so a rule on a Prestatie can use the
DeclaratiePeriode and its Client's Bsn. A head without records inside is handed out whole at its
end.

The file is read once with lxml's iterparse, which reports only the ends of record and head
elements; each record is cleared as soon as its rules have run, and so are the records before it,
so memory stays flat whatever the size of the file. A large file may instead come in pieces that a
second thread parses (:mod:`portal.iwmo.pieces`); the stream walks each piece in the order
iterparse would report its ends, with the lines of the whole file, so the records are the same.
After the last record comes one record of kind :data:`END` for the rules that compare across the
whole file (totals).

Fields are keyed by their path relative to the record: ``ProductPeriode/Begindatum``,
``IngediendBedrag/Bedrag``. An optional element that is present but empty is a key with value None.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import BinaryIO

from lxml import etree

from portal.iwmo.pieces import PieceFailed
from portal.iwmo.safe_xml import PARSER_OPTIONS, Refused

END = "einde"  # the kind of the record after the last one


@dataclass(frozen=True)
class Layout:
    """Where the records are in one message type (local names, in the message's namespace)."""

    records: tuple[str, ...]
    heads: tuple[str, ...] = ()
    repeated: tuple[str, ...] = ()  # shown with their number in paths: Client[2]
    # Records whose leaf elements each occur at one place only, so their paths can be learned per
    # element name: the fast way for the records a file has thousands of.
    flat: tuple[str, ...] = ()
    # Flat records whose sequence of elements follows from their number of children and of
    # descendants (true for the WMO323 Prestatie: its only optional elements are ProductTarief, a
    # child, and VorigReferentieNummer, a grandchild). Their element names are read once per shape;
    # every SHAPE_CHECK_EVERY-th record is read in full to confirm it.
    shaped: tuple[str, ...] = ()


LAYOUTS: dict[str, Layout] = {
    "WMO301": Layout(records=("Header", "Contact", "ToegewezenProduct"),
                     heads=("Client", "Relatie"),
                     repeated=("Relatie", "Contact", "ToegewezenProduct"),
                     flat=("ToegewezenProduct",)),
    "WMO305": Layout(records=("Header", "StartProduct"), heads=("Client",),
                     repeated=("StartProduct",), flat=("StartProduct",)),
    "WMO307": Layout(records=("Header", "StopProduct"), heads=("Client",),
                     repeated=("StopProduct",), flat=("StopProduct",)),
    "WMO315": Layout(records=("Header", "AangevraagdProduct"), heads=("Client",),
                     repeated=("AangevraagdProduct",), flat=("AangevraagdProduct",)),
    "WMO317": Layout(records=("Header", "OngewijzigdProduct", "TeWijzigenProduct", "NieuwProduct"),
                     heads=("Client", "Verzoek"),
                     repeated=("OngewijzigdProduct", "TeWijzigenProduct", "NieuwProduct"),
                     flat=("OngewijzigdProduct", "TeWijzigenProduct", "NieuwProduct")),
    "WMO319": Layout(records=("Header", "Antwoord")),
    "WMO323": Layout(records=("Header", "Prestatie"), heads=("Declaratie", "Client"),
                     repeated=("Client", "Prestatie"), flat=("Prestatie",), shaped=("Prestatie",)),
    "WMO325": Layout(records=("Header", "Prestatie"), heads=("DeclaratieAntwoord", "Client"),
                     repeated=("Client", "Prestatie"), flat=("Prestatie",)),
}

_TEXT = attrgetter("text")
_LEARNED_LIMIT = 256  # element names remembered per record kind (a hostile file may invent many)
SHAPE_CHECK_EVERY = 101
_local_names: dict[str, str] = {}


def local_name(tag: str) -> str:
    name = _local_names.get(tag)
    if name is None:
        name = tag.rpartition("}")[2]
        if len(_local_names) < 4096:
            _local_names[tag] = name
    return name


class Record(dict):
    """One record: a dict of fields (relative path → text) with its kind, line and element path.

    ``text`` and ``has`` are dict's own get and ``in``: rules call them millions of times.
    """

    __slots__ = ("kind", "element", "line", "_path", "_lines", "memo", "offset")

    text = dict.get
    has = dict.__contains__

    def __init__(self, kind: str, element, path, line: int | None, lines: dict | None = None,
                 offset: int = 0):
        self.kind = kind
        self.element = element
        self.line = line
        self._path = path  # a str, or (prefix, middle, kind, number) joined when first asked for
        self._lines = lines
        self.memo = None  # for values several rules derive from the same fields
        self.offset = offset  # the element's lines are its sourceline + offset (a piece's place)

    @property
    def fields(self) -> dict:
        return self

    @property
    def path(self) -> str:
        if not isinstance(self._path, str):
            prefix, middle, kind, number = self._path
            name = f"{kind}[{number}]" if number else kind
            self._path = f"{prefix}/{middle}{name}"
        return self._path

    def where(self, name: str | None = None) -> tuple[int | None, str]:
        """(line, element path) of a field, or of the record itself when name is None.

        Valid while the record is being checked; a rule that reports later keeps this pair.
        """
        if name is None:
            return self.line, self.path
        line = self._lines.get(name) if self._lines is not None else None
        if line is None and self.element is not None:
            found = _find(self.element, name)
            line = found.sourceline + self.offset if found is not None else None
        return line or self.line, f"{self.path}/{name}"

    def __repr__(self) -> str:
        return f"Record({self.kind!r}, line={self.line}, {dict.__repr__(self)})"


def _find(element, path: str):
    for part in path.split("/"):
        element = next((child for child in element
                        if isinstance(child.tag, str) and local_name(child.tag) == part), None)
        if element is None:
            return None
    return element


class RecordStream:
    """Iterate over the records of one message read from ``source`` (a binary file object).

    Given ``pieces`` (:class:`portal.iwmo.pieces.Pieces`, for a large file), the records come from
    pieces a second thread parses, the same records as the ordinary way (see that module).
    """

    def __init__(self, source: BinaryIO, layout: Layout, namespace: str, pieces=None):
        self._source = source
        self._layout = layout
        self._pieces = pieces
        prefix = "{" + namespace + "}"
        self._kinds = {prefix + name: name for name in layout.records + layout.heads}
        self._heads = {prefix + name for name in layout.heads}
        self._flat = set(layout.flat)
        self._repeated = set(layout.repeated)
        self._client = prefix + "Client"
        self._learned: dict[str, dict[str, str]] = {kind: {} for kind in layout.flat}
        self._start()

    def _start(self) -> None:
        """The state of one reading of the file (a reading in pieces may give way to another)."""
        self._open: dict[object, str] = {}  # head elements handed out and not ended → path
        self._shapes: dict[str, dict[tuple[int, int], list[str]] | None] = {
            kind: {} for kind in self._layout.shaped}
        self._shape_counts: dict[str, int] = {kind: 0 for kind in self._layout.shaped}
        self.shape_mismatch = False  # a confirmation read found another sequence than learned
        self._counts: dict[str, tuple[object, int]] = {}  # kind → (parent element, last number)
        self._root = None  # the document's root element, known once the records are read
        self._offset = 0  # lines before the piece being read (0: reading the whole file)
        self._alias: dict = {}  # the Clients' parent in this piece → the one in the first piece
        # Clear each record after its rules, and remove it (and each head at its end): reading
        # the whole file, memory stays flat so. A piece is dropped whole once read, which costs
        # less than a record at a time (the first piece, which holds the Declaratie, stays to the
        # end: about ten times PIECE_BYTES).
        self._release_records = True

    def __iter__(self) -> Iterator[Record]:
        if self._pieces is None:
            yield from self._walk(self._whole())
            return
        handed_out = 0
        try:
            for record in self._walk(self._in_pieces(self._pieces)):
                handed_out += 1
                yield record
            return
        except PieceFailed:
            pass
        # Start over the ordinary way; the records up to here are the same, and were handed out.
        self._start()
        self._source.seek(0)
        for number, record in enumerate(self._walk(self._whole())):
            if number >= handed_out:
                yield record

    def _whole(self):
        """The end events of the records and heads, from iterparse over the whole file."""
        context = etree.iterparse(
            self._source, events=("end",), tag=list(self._kinds), remove_blank_text=True,
            remove_comments=True, remove_pis=True, **PARSER_OPTIONS)
        yield context
        self._root = context.root

    def _in_pieces(self, pieces):
        """The end events of the records and heads, piece by piece, as iterparse would give them
        for the whole file: the first piece's prefix (Header, ...) is read once, the Clients of
        each piece in turn, and the ends of the elements around the Clients (Declaratie) last.
        Those elements are the first piece's: every later piece's Clients' parent stands for the
        first piece's (self._alias), so heads, numbers and paths carry on across pieces."""
        first_parent = None
        around = []
        tags = list(self._kinds)
        self._release_records = False
        for tree, lines in pieces:
            self._offset = lines
            client = next(tree.iter(self._client), None)
            if client is None:  # cannot be: each piece starts with a Client
                raise PieceFailed("a piece without a Client")
            parent = client.getparent()
            if first_parent is None:
                if client.getprevious() is not None:  # the Clients' parent holds more: not cut
                    raise PieceFailed("something before the first Client in its parent")
                first_parent, self._root = parent, tree.getroot()
                around = [element for element in client.iterancestors()
                          if element.tag in self._kinds]  # innermost first: the order they end
                yield _without(_in_end_order(tree.getroot().iter(*tags)), set(around))
            else:
                self._alias = {parent: first_parent}
                yield _in_end_order(parent.iter(*tags))
        self._offset = 0
        self._alias = {}
        yield [("end", element) for element in around]

    def _walk(self, parts) -> Iterator[Record]:
        kinds, heads, flat = self._kinds, self._heads, self._flat
        # The previous record, for the common case of records following each other in one parent
        # (Prestatie after Prestatie): its parent and kind, place and number, and its element.
        previous_parent = previous_kind = done = None
        prefix = middle = ""
        number = 0
        for events in parts:
            offset, alias, release = self._offset, self._alias, self._release_records
            for _event, element in events:
                tag = element.tag
                kind = kinds[tag]
                if tag in heads:
                    if self._open.pop(element, None) is None:  # no records inside: handed out whole
                        yield self._head(element, kind, stop=None)
                    if release:
                        _release(element)
                    continue
                parent = element.getparent()
                if alias:
                    parent = alias.get(parent, parent)
                if parent is previous_parent and kind == previous_kind:
                    # The next record in the same parent: same place, next number, and the previous
                    # one (checked and cleared) can go.
                    if number:
                        number += 1
                    if release:
                        parent.remove(done)
                else:
                    if previous_parent is not None:
                        self._counts[previous_kind] = (previous_parent, number)
                    prefix, middle, pending = self._above(element)
                    for head, stop in pending:
                        yield self._head(head, kinds[head.tag], stop)
                    if pending:
                        prefix, middle, _ = self._above(element)
                    number = self._number(element, kind)
                    if release:
                        _release(element, keep=True)
                    previous_parent, previous_kind = parent, kind
                line = element.sourceline
                if offset:
                    line += offset
                if kind in flat:
                    record = Record(kind, element, (prefix, middle, kind, number), line, None,
                                    offset)
                    self._flat_fields(element, kind, record)
                else:
                    record = Record(kind, element, (prefix, middle, kind, number), line, {},
                                    offset)
                    _collect(element, "", record, record._lines, None, offset)
                yield record
                if release:
                    element.clear(keep_tail=False)
                    done = element
        root = self._root
        if root is not None and root.getroottree().docinfo.doctype:
            raise Refused("Het bestand bevat een DOCTYPE-declaratie; die is niet toegestaan.")
        yield Record(END, None, "/" + local_name(root.tag) if root is not None else "/Bericht",
                     None)

    # -- records ----------------------------------------------------------------------------------

    def _flat_fields(self, element, kind: str, fields: dict) -> None:
        shapes = self._shapes.get(kind)
        if shapes is not None:
            descendants = list(element.iterdescendants())
            shape = (len(element), len(descendants))
            keys = shapes.get(shape)
            count = self._shape_counts[kind] = self._shape_counts[kind] + 1
            if keys is None or count % SHAPE_CHECK_EVERY == 0:
                read = self._keys(element, kind, descendants)
                if keys is None and len(shapes) < _LEARNED_LIMIT:
                    shapes[shape] = read
                elif keys is not None and keys != read:
                    self.shape_mismatch = True
                    self._shapes[kind] = None
                keys = read
            fields.update(zip(keys, map(_TEXT, descendants)))  # in C: no Python loop per element
            return
        learned = self._learned[kind]
        for child in element.iterdescendants():
            tag = child.tag
            key = learned.get(tag)
            if key is None:
                if not isinstance(tag, str):
                    continue
                key = _relative_path(child, element)
                if len(learned) < _LEARNED_LIMIT:
                    learned[tag] = key
            fields[key] = child.text

    def _keys(self, element, kind: str, descendants: list) -> list[str]:
        """The relative path of each descendant (the element names, read the slow way)."""
        learned = self._learned[kind]
        keys = []
        for child in descendants:
            tag = child.tag
            key = learned.get(tag)
            if key is None:
                key = _relative_path(child, element) if isinstance(tag, str) else ""
                if len(learned) < _LEARNED_LIMIT:
                    learned[tag] = key
            keys.append(key)
        return keys

    def _parent(self, element):
        parent = element.getparent()
        return self._alias.get(parent, parent)

    def _above(self, element) -> tuple[str, str, list]:
        """Walk up from a record to the nearest head handed out: that head's path, the names in
        between ("Prestaties/"), and the enclosing heads not handed out yet (outermost first, each
        with the child that leads to the record)."""
        middle = []
        pending = []
        child, parent = element, self._parent(element)
        while parent is not None:
            prefix = self._open.get(parent)
            if prefix is not None:
                break
            if parent.tag in self._heads:
                pending.append((parent, child))
            middle.append(local_name(parent.tag))
            child, parent = parent, self._parent(parent)
        else:
            prefix = ""
        pending.reverse()
        return prefix, "".join(name + "/" for name in reversed(middle)), pending

    def _head(self, element, kind: str, stop) -> Record:
        prefix, middle, _pending = self._above(element)
        number = self._number(element, kind)
        path = f"{prefix}/{middle}{kind}[{number}]" if number else f"{prefix}/{middle}{kind}"
        if stop is not None:
            self._open[element] = path
        offset = self._offset
        record = Record(kind, element, path, element.sourceline + offset, {}, offset)
        _collect(element, "", record, record._lines, stop, offset)
        return record

    def _number(self, element, kind: str) -> int:
        """The element's number among the records of its kind in its parent; 0: not numbered."""
        if kind not in self._repeated:
            return 0
        parent = self._parent(element)
        last_parent, number = self._counts.get(kind, (None, 0))
        number = number + 1 if last_parent is parent else 1
        self._counts[kind] = (parent, number)
        return number


def _collect(element, prefix: str, fields: dict, lines: dict, stop, offset: int = 0) -> None:
    for child in element:
        if child is stop:
            return
        tag = child.tag
        if not isinstance(tag, str):
            continue
        key = prefix + local_name(tag)
        if key not in fields:
            fields[key] = child.text
            lines[key] = child.sourceline + offset
        if len(child):
            _collect(child, key + "/", fields, lines, None, offset)


def _in_end_order(elements):
    """("end", element) for the elements of an ``iter()`` (in the order they start), in the order
    they end, as iterparse reports them: an element after the elements inside it. (iterwalk does
    the same, but visits every element of the tree in Python-level steps: five times slower.)"""
    around = []  # the elements the last one is inside, outermost first
    last = last_parent = None
    for element in elements:
        parent = element.getparent()
        if last is not None:
            if parent is last_parent:  # the common case: the next sibling, so the last one ended
                yield "end", last
            elif _inside(parent, last):
                around.append(last)
            else:
                yield "end", last
                while around and not _inside(parent, around[-1]):
                    yield "end", around.pop()
        last, last_parent = element, parent
    if last is not None:
        yield "end", last
    while around:
        yield "end", around.pop()


def _inside(element, ancestor) -> bool:
    """Whether ``element`` is ``ancestor`` or inside it."""
    while element is not None:
        if element is ancestor:
            return True
        element = element.getparent()
    return False


def _without(events, skipped: set):
    """The events, but none for the elements in ``skipped``."""
    for event in events:
        if event[1] not in skipped:
            yield event


def _relative_path(element, record) -> str:
    names = []
    while element is not None and element is not record:
        names.append(local_name(element.tag))
        element = element.getparent()
    return "/".join(reversed(names))


def _release(element, keep: bool = False) -> None:
    """Free a checked element (unless keep) and the checked elements of the same kind before it."""
    if not keep:
        element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is None:
        return
    previous = element.getprevious()
    while previous is not None and previous.tag == element.tag:
        parent.remove(previous)
        previous = element.getprevious()
