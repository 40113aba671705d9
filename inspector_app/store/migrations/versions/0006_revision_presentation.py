"""inspection_revision: the organisation and display zone its report is issued under

Revision ID: 0006_revision_presentation
Revises: 0005_received_history_devices
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_revision_presentation"
down_revision: str | None = "0005_received_history_devices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    # Revisions completed before this one keep none: their reports use the settings of the
    # day, as they did.
    with op.batch_alter_table("inspection_revision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation", String(length=200), nullable=True))
        batch_op.add_column(sa.Column("display_zone", String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inspection_revision", schema=None) as batch_op:
        batch_op.drop_column("display_zone")
        batch_op.drop_column("organisation")
