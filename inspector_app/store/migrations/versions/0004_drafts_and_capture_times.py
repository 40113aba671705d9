"""text drafts (free text on disk as it is typed); a photo's camera wall time and offset

Revision ID: 0004_drafts_and_capture_times
Revises: 0003_sync
Create Date: 2026-12-01 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004_drafts_and_capture_times"
down_revision: str | None = "0003_sync"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
When = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "text_draft",
        sa.Column("inspection_id", String(length=36), nullable=False),
        sa.Column("item_id", String(length=64), nullable=False),
        sa.Column("kind", String(length=16), nullable=False),
        sa.Column("text", String(), nullable=False),
        sa.Column("actor", String(), nullable=False),
        sa.Column("updated_at", When(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_text_draft_inspection_id_inspection"),
        ),
        sa.PrimaryKeyConstraint("inspection_id", "item_id", "kind", name=op.f("pk_text_draft")),
    )
    # Rows from before keep their instant (read then in the laptop's zone) and no wall time.
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.add_column(sa.Column("captured_local", String(length=19), nullable=True))
        batch_op.add_column(sa.Column("captured_offset", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.drop_column("captured_offset")
        batch_op.drop_column("captured_local")
    op.drop_table("text_draft")
