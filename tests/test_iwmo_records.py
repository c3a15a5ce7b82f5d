"""The record stream: heads come before their records, paths are numbered, memory is released."""

from __future__ import annotations

import io

from portal.iwmo.records import END, SHAPE_CHECK_EVERY, Layout, RecordStream

NS = "urn:test"


def stream(body: str, layout: Layout) -> RecordStream:
    data = f'<t:Bericht xmlns:t="{NS}">{body}</t:Bericht>'.encode()
    return RecordStream(io.BytesIO(data), layout, NS)


def test_heads_come_first_with_their_leading_fields_and_paths_are_numbered():
    layout = Layout(records=("Header", "Regel"), heads=("Groep",), repeated=("Groep", "Regel"),
                    flat=("Regel",))
    body = ("<t:Header><t:Datum>2023-01-01</t:Datum></t:Header>"
            "<t:Groepen><t:Groep><t:Naam>a</t:Naam><t:Regels>"
            "<t:Regel><t:Waarde>1</t:Waarde></t:Regel><t:Regel><t:Waarde>2</t:Waarde></t:Regel>"
            "</t:Regels></t:Groep><t:Groep><t:Naam>b</t:Naam><t:Regels>"
            "<t:Regel><t:Waarde>3</t:Waarde></t:Regel></t:Regels></t:Groep></t:Groepen>")
    seen = [(r.kind, r.path, dict(r)) for r in stream(body, layout)]
    assert seen == [
        ("Header", "/Bericht/Header", {"Datum": "2023-01-01"}),
        ("Groep", "/Bericht/Groepen/Groep[1]", {"Naam": "a"}),
        ("Regel", "/Bericht/Groepen/Groep[1]/Regels/Regel[1]", {"Waarde": "1"}),
        ("Regel", "/Bericht/Groepen/Groep[1]/Regels/Regel[2]", {"Waarde": "2"}),
        ("Groep", "/Bericht/Groepen/Groep[2]", {"Naam": "b"}),
        ("Regel", "/Bericht/Groepen/Groep[2]/Regels/Regel[1]", {"Waarde": "3"}),
        (END, "/Bericht", {}),
    ]


def test_checked_records_are_released():
    layout = Layout(records=("Regel",), repeated=("Regel",), flat=("Regel",))
    body = "<t:Regels>" + "<t:Regel><t:Waarde>1</t:Waarde></t:Regel>" * 1000 + "</t:Regels>"
    records = stream(body, layout)
    before = []
    for record in records:
        if record.kind == "Regel":
            element, count = record.element, 0
            while element.getprevious() is not None:
                element, count = element.getprevious(), count + 1
            before.append(count)
    assert max(before) <= 1  # at most the record just checked (and cleared) is still there


def test_a_shape_that_does_not_fix_the_element_names_is_noticed():
    layout = Layout(records=("Regel",), repeated=("Regel",), flat=("Regel",), shaped=("Regel",))
    lines = ["<t:Regel><t:A>1</t:A></t:Regel>", "<t:Regel><t:B>2</t:B></t:Regel>"]
    body = "".join(lines[i % 2] for i in range(2 * SHAPE_CHECK_EVERY))
    records = stream(body, layout)
    list(records)
    assert records.shape_mismatch


def test_a_fixed_shape_reads_the_same_fields_as_the_slow_way():
    shaped = Layout(records=("Regel",), repeated=("Regel",), flat=("Regel",), shaped=("Regel",))
    plain = Layout(records=("Regel",), repeated=("Regel",), flat=("Regel",))
    body = "".join(f"<t:Regel><t:A>{i}</t:A><t:P><t:B>{i}</t:B></t:P>"
                   + ("<t:C>c</t:C>" if i % 3 else "") + "</t:Regel>" for i in range(300))
    fast = [dict(r) for r in stream(body, shaped)]
    slow = [dict(r) for r in stream(body, plain)]
    assert fast == slow and fast[1] == {"A": "1", "P": None, "P/B": "1", "C": "c"}
