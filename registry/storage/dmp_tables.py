"""DMP records — the tables of the patients and habilitations services.

One row per patient's record (``dmp_records``, keyed by the INS as a CX), its administrative
data and consent as columns since TD0.2 answers them all at once; authorisations keep their
history (``revoked_at`` set rather than the row deleted, so that a patient can be shown who was
authorised when); blocks are present or not. See ``registry/dmp_records.py`` for the model and
migration ``0005_dmp_records`` for the DDL, which a test compares with these declarations.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, false
from sqlalchemy.orm import Mapped, mapped_column

from registry.storage.tables import Base, KeyType

__all__ = ["DmpAuthorisationRow", "DmpBlockRow", "DmpRecordRow"]

_TIME = DateTime(timezone=True)


class DmpRecordRow(Base):
    """One patient's DMP: status, consent, oppositions, closure, administrative data."""

    __tablename__ = "dmp_records"

    patient_id: Mapped[str] = mapped_column(primary_key=True)
    status: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(_TIME)
    updated_at: Mapped[datetime] = mapped_column(_TIME)
    consent_at: Mapped[datetime] = mapped_column(_TIME)
    consent_by: Mapped[str | None]
    opposes_break_glass: Mapped[bool] = mapped_column(Boolean, server_default=false())
    opposes_centre_15: Mapped[bool] = mapped_column(Boolean, server_default=false())
    closed_at: Mapped[datetime | None] = mapped_column(_TIME)
    closure_reason: Mapped[str | None]
    closure_text: Mapped[str | None]
    family_name: Mapped[str | None]
    birth_name: Mapped[str | None]
    given_names: Mapped[str | None]
    birth_date: Mapped[str | None]
    gender: Mapped[str | None]
    address: Mapped[str | None]


class DmpAuthorisationRow(Base):
    """A professional's authorisation on a record; revoked ones stay, with ``revoked_at``."""

    __tablename__ = "dmp_authorisations"
    __table_args__ = (
        Index("ix_dmp_authorisations_patient_professional", "patient_id", "professional_id"),
    )

    pk: Mapped[int] = mapped_column(KeyType, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(
        ForeignKey("dmp_records.patient_id", ondelete="CASCADE")
    )
    professional_id: Mapped[str]
    treating_physician: Mapped[bool] = mapped_column(Boolean, server_default=false())
    granted_at: Mapped[datetime] = mapped_column(_TIME)
    revoked_at: Mapped[datetime | None] = mapped_column(_TIME)


class DmpBlockRow(Base):
    """A professional the patient blocked from the record."""

    __tablename__ = "dmp_blocks"

    patient_id: Mapped[str] = mapped_column(
        ForeignKey("dmp_records.patient_id", ondelete="CASCADE"), primary_key=True
    )
    professional_id: Mapped[str] = mapped_column(primary_key=True)
    blocked_at: Mapped[datetime] = mapped_column(_TIME)
