"""received history: the device each entry came from, and whether it counts in the merge

Revision ID: 0005_received_history_devices
Revises: 0004_drafts_and_capture_times
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005_received_history_devices"
down_revision: str | None = "0004_drafts_and_capture_times"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    # Entries received before this revision keep no device (shown as "received in a
    # package") and all count in the merge, as they did.
    with op.batch_alter_table("received_history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device_id", String(length=36), nullable=True))
        batch_op.add_column(
            sa.Column("lineage", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("received_history", schema=None) as batch_op:
        batch_op.drop_column("lineage")
        batch_op.drop_column("device_id")
