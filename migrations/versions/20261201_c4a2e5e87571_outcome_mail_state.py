"""outcome mail state per recipient

Each consenting attendee's outcomes e-mail is "pending", "sent" or "failed" (the mail
server refused it; the facilitator can send it again). Existing rows: an e-mail with a
sent time was sent; one without, of a council whose outcomes are published, failed
earlier (the old code left it unsent); the others are pending.

Revision ID: c4a2e5e87571
Revises: a6aff202cae3
Create Date: 2026-12-01 20:40:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'c4a2e5e87571'
down_revision = 'a6aff202cae3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outcome_subscriber', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_status', sa.String(length=8), server_default='pending', nullable=False))
    op.execute("UPDATE outcome_subscriber SET mail_status = 'sent' WHERE sent_at IS NOT NULL")
    op.execute(
        "UPDATE outcome_subscriber SET mail_status = 'failed' WHERE sent_at IS NULL AND council_id IN "
        "(SELECT id FROM council WHERE status = 'outcomes_published')"
    )


def downgrade():
    with op.batch_alter_table('outcome_subscriber', schema=None) as batch_op:
        batch_op.drop_column('mail_status')
