"""One row per Prestatie of a declaration the portal answered line by line, with its outcome.

A row is written in the same savepoint as the upload's WMO325 answer (portal.berichten.services),
so lines and answer exist together or not at all. Rows are never changed afterwards: a correction
is a new declaration with a credit line. Only declarations whose lines were assessed get rows (not
one refused whole by a technical error, its header, or at declaration level, e.g. TR333).
"""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.berichten.models import Upload
from portal.declaraties.registration_rules import (
    ABSENT,
    ATTENDANCE,
    DIRECT,
    INDIRECT,
    NO_SHOW,
    PRESENT,
    TIME,
    TRAVEL,
)
from portal.extensions import Moment, db

GRANTED, REFUSED = "toegekend", "afgewezen"
OUTCOMES: dict[str, str] = {GRANTED: "Toegekend", REFUSED: "Afgewezen"}


class DeclarationLine(db.Model):
    __tablename__ = "declaration_line"
    __table_args__ = (
        CheckConstraint("outcome IN ('toegekend', 'afgewezen')", name="outcome"),
        CheckConstraint("debit_credit IN ('D', 'C')", name="debit_credit"),
        # TR314: the references an aanbieder used before; TR323/TR390: the debet a credit names.
        Index("ix_declaration_line_aanbieder_reference", "aanbieder_id", "reference"),
        # Per gemeente and month: the review screens and the export.
        Index("ix_declaration_line_gemeente_month", "gemeente_id", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("upload.id"), index=True)
    aanbieder_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    gemeente_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    # The toewijzing the line was matched to; None when no toewijzing matched (the line is then
    # refused). A credit line points at the toewijzing of the debet it reverses.
    toewijzing_id: Mapped[int | None] = mapped_column(ForeignKey("toewijzing.id"), index=True)
    client_bsn: Mapped[str] = mapped_column(String(9), index=True)
    # Where the line is in the file: Client[client_number]/Prestaties/Prestatie[prestatie_number].
    client_number: Mapped[int]
    prestatie_number: Mapped[int]
    file_line: Mapped[int | None]
    reference: Mapped[str] = mapped_column(String(20))
    previous_reference: Mapped[str | None] = mapped_column(String(20))
    toewijzing_nummer: Mapped[int | None]
    category: Mapped[str] = mapped_column(String(2))
    code: Mapped[str] = mapped_column(String(5))
    begin: Mapped[date | None]
    end: Mapped[date | None]
    volume: Mapped[int]
    unit: Mapped[str] = mapped_column(String(2))  # WJ756, as declared
    tariff_cents: Mapped[int | None]  # ProductTarief as declared (none for unit 83)
    amount_cents: Mapped[int]  # IngediendBedrag, never negative: the sign is debit_credit
    debit_credit: Mapped[str] = mapped_column(String(1))
    outcome: Mapped[str] = mapped_column(String(10))
    # The retourcodes the WMO325 gives this line (empty when it was granted: not echoed).
    retourcodes: Mapped[list] = mapped_column(JSON, default=list)
    # Every finding on the line: [{"code", "severity", "message", "retourcode"}], Dutch messages.
    findings: Mapped[list] = mapped_column(JSON, default=list)
    month: Mapped[date]  # the first day of the declaration's DeclaratiePeriode
    created_at: Mapped[Moment]

    upload: Mapped[Upload] = relationship()

    @property
    def granted(self) -> bool:
        return self.outcome == GRANTED

    @property
    def signed_cents(self) -> int:
        return -self.amount_cents if self.debit_credit == "C" else self.amount_cents


# -- delivery registration (uitvoeringsregistratie) ----------------------------------------------
# What the aanbieder records about the care it delivered, because region rules on declarations
# need it and a WMO323 does not carry it (regions/DECLARATION_RULES.md): per toewijzing and day,
# whether the client was there (one row per dagdeel or visit) and the time spent, by activity.

ENTRY_KINDS: dict[str, str] = {ATTENDANCE: "Aanwezigheid", TIME: "Tijd"}
ATTENDANCES: dict[str, str] = {PRESENT: "Aanwezig", ABSENT: "Afwezig (afgemeld)",
                               NO_SHOW: "No-show (niet verschenen, niet afgemeld)"}
ACTIVITIES: dict[str, str] = {DIRECT: "Direct (contact met cliënt of cliëntsysteem)",
                              INDIRECT: "Indirect (verslag, overleg, administratie)",
                              TRAVEL: "Reistijd"}
MINUTES_PER_DAY = 24 * 60


class DeliveryEntry(db.Model):
    """One registered fact of one day of a toewijzing: an attendance (``kind`` aanwezigheid, with
    ``attendance``) or a time entry (``kind`` tijd, with ``activity`` and ``minutes``). Start and
    end time of day are optional for both; rules about the time of day use them where given."""

    __tablename__ = "delivery_entry"
    __table_args__ = (
        CheckConstraint("kind IN ('aanwezigheid', 'tijd')", name="kind"),
        CheckConstraint("attendance IS NULL OR attendance IN ('aanwezig', 'afwezig', 'no_show')",
                        name="attendance"),
        CheckConstraint("activity IS NULL OR activity IN ('direct', 'indirect', 'reistijd')",
                        name="activity"),
        CheckConstraint("(kind = 'aanwezigheid' AND attendance IS NOT NULL AND activity IS NULL "
                        "AND minutes IS NULL) OR (kind = 'tijd' AND attendance IS NULL AND "
                        "activity IS NOT NULL AND minutes IS NOT NULL)", name="kind_fields"),
        CheckConstraint(f"minutes IS NULL OR minutes BETWEEN 1 AND {MINUTES_PER_DAY}",
                        name="minutes"),
        CheckConstraint("start_time IS NULL OR end_time IS NULL OR start_time < end_time",
                        name="times"),
        # The declaration check loads a file's entries by toewijzing and period in one query.
        Index("ix_delivery_entry_toewijzing_day", "toewijzing_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    toewijzing_id: Mapped[int] = mapped_column(ForeignKey("toewijzing.id"))
    day: Mapped[date]
    kind: Mapped[str] = mapped_column(String(12))
    attendance: Mapped[str | None] = mapped_column(String(10))
    activity: Mapped[str | None] = mapped_column(String(10))
    minutes: Mapped[int | None]
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    # Who recorded it last (the audit log keeps every change); the aanbieder's own user.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[Moment]
    updated_at: Mapped[Moment]

    @property
    def what(self) -> str:
        """In Dutch, for lists and messages."""
        if self.kind == ATTENDANCE:
            return ATTENDANCES.get(self.attendance or "", self.attendance or "")
        return f"{self.minutes} min {self.activity}"
