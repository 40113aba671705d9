"""packages: pinned devices, receipts, conflicts kept for a person, received history

Revision ID: 0003_sync
Revises: 0002_finding_photos
Create Date: 2026-11-27 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003_sync"
down_revision: str | None = "0002_finding_photos"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
When = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "sync_device",
        sa.Column("device_id", String(length=36), nullable=False),
        sa.Column("device_name", String(length=200), nullable=False),
        sa.Column("public_key", String(length=64), nullable=False),
        sa.Column("first_seen", When(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.Column("last_audit_head", String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_sync_device")),
    )
    op.create_table(
        "sync_receipt",
        sa.Column("package_id", String(length=36), nullable=False),
        sa.Column("device_id", String(length=36), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("file_sha256", String(length=64), nullable=False),
        sa.Column("imported_at", When(), nullable=False),
        sa.Column("actor", String(), nullable=False),
        sa.Column("result_json", String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["sync_device.device_id"],
            name=op.f("fk_sync_receipt_device_id_sync_device"),
        ),
        sa.PrimaryKeyConstraint("package_id", name=op.f("pk_sync_receipt")),
    )
    with op.batch_alter_table("sync_receipt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_receipt_device_id"), ["device_id"], unique=False)
    op.create_table(
        "sync_conflict",
        sa.Column("id", String(length=36), nullable=False),
        sa.Column("package_id", String(length=36), nullable=False),
        sa.Column("entity", String(length=32), nullable=False),
        sa.Column("entity_id", String(length=36), nullable=False),
        sa.Column("local_hash", String(length=64), nullable=False),
        sa.Column("incoming_hash", String(length=64), nullable=False),
        sa.Column("incoming_json", String(), nullable=False),
        sa.Column("created_at", When(), nullable=False),
        sa.Column("resolved_at", When(), nullable=True),
        sa.Column("resolution", String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["sync_receipt.package_id"],
            name=op.f("fk_sync_conflict_package_id_sync_receipt"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_conflict_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sync_conflict_package_id"), ["package_id"], unique=False
        )
    op.create_table(
        "received_history",
        sa.Column("id", String(length=36), nullable=False),
        sa.Column("inspection_id", String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("entry_json", String(), nullable=False),
        sa.Column("local_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_history")),
    )
    with op.batch_alter_table("received_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_received_history_inspection_id"), ["inspection_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("received_history")
    op.drop_table("sync_conflict")
    op.drop_table("sync_receipt")
    op.drop_table("sync_device")
