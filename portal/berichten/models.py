"""An uploaded file: its original bytes, kept unchanged, and what the portal made of it."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.accounts.models import Organisation, User
from portal.extensions import Moment, db
from portal.iwmo.models import IwmoMessage

# What became of an upload. "archief" is a ZIP: its messages are uploads of their own.
RECEIVED = "ontvangen"  # stored, not (yet) processed: the processing failed or is under way

STATUSES: dict[str, str] = {
    RECEIVED: "Niet verwerkt",
    "geldig": "Geldig",
    "ongeldig": "Ongeldig",
    "dubbel": "Dubbel (geweigerd)",
    "geweigerd": "Geweigerd",
    "archief": "ZIP-bestand",
}


class Upload(db.Model):
    """One uploaded file. The bytes are written once and never changed (no code updates them)."""

    __tablename__ = "upload"
    __table_args__ = (
        CheckConstraint("kind IN ('xml', 'zip')", name="kind"),
        CheckConstraint("status IN ('ontvangen', 'geldig', 'ongeldig', 'dubbel', 'geweigerd', "
                        "'archief')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))  # as the uploader named it (or the entry)
    kind: Mapped[str] = mapped_column(String(3))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    uploaded_at: Mapped[Moment]
    archive_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), index=True)

    message_type: Mapped[str | None] = mapped_column(String(6))  # WMO323, WMO301, ...
    status: Mapped[str] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(String(1000))  # Dutch, one sentence or two
    # Every finding: [{"code", "retourcode", "line", "path", "message", "severity"}].
    findings: Mapped[list] = mapped_column(JSON, default=list)
    sender_code: Mapped[str | None] = mapped_column(String(8))
    receiver_code: Mapped[str | None] = mapped_column(String(8))
    # The organisation the message is addressed to, when the portal knows it: the gemeente of a
    # WMO323 (it sees the upload in its list), the aanbieder of a WMO301.
    receiver_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    identificatie: Mapped[str | None] = mapped_column(String(12))
    declaratie_nummer: Mapped[str | None] = mapped_column(String(12))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("iwmo_message.id"))

    # The WMO325 answer to a WMO323 (none for an XSD-invalid declaration, iwmo.md §5).
    answer: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    answer_identificatie: Mapped[str | None] = mapped_column(String(12))
    # Signed (debet +, credit −), in 64 bits: a TotaalBedrag may have twelve digits.
    submitted_cents: Mapped[int | None] = mapped_column(BigInteger)
    granted_cents: Mapped[int | None] = mapped_column(BigInteger)
    line_count: Mapped[int | None]
    refused_count: Mapped[int | None]
    # For the result page: per client number with findings its Bsn and per Prestatie number the
    # line's reference, product, period and amount ({"2": {"bsn", "prestaties": {"1": {...}}}}).
    labels: Mapped[dict] = mapped_column(JSON, default=dict)
    # What a WMO301 did: [{"toewijzing_nummer", "action": "nieuw" | "gewijzigd" | ..., "id"}].
    imported: Mapped[list] = mapped_column(JSON, default=list)

    uploaded_by: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship(foreign_keys=[organisation_id])
    receiver: Mapped[Organisation | None] = relationship(foreign_keys=[receiver_id])
    message: Mapped[IwmoMessage | None] = relationship()
    archive: Mapped[Upload | None] = relationship(remote_side=[id], back_populates="entries")
    entries: Mapped[list[Upload]] = relationship(back_populates="archive", order_by="Upload.id")

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def errors(self) -> list[dict]:
        return [f for f in self.findings or [] if f.get("severity") == "error"]

    @property
    def warnings(self) -> list[dict]:
        return [f for f in self.findings or [] if f.get("severity") != "error"]
