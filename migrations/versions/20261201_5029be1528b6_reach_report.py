"""reach report: first-timer and language on attendance profiles, reference population

Revision ID: 5029be1528b6
Revises: 6805ac409a10
Create Date: 2026-12-01 20:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5029be1528b6'
down_revision = '6805ac409a10'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no table rebuild): existing profiles keep their rows, and however
    # the table is stored (WITHOUT ROWID, random keys) stays as it is.
    op.add_column('attendance_profile', sa.Column('first_time', sa.String(length=8), nullable=True))
    op.add_column('attendance_profile', sa.Column('language', sa.String(length=5), nullable=True))
    op.create_table('reference_population',
    sa.Column('neighbourhood_id', sa.Integer(), nullable=False),
    sa.Column('age_band', sa.String(length=10), nullable=False),
    sa.Column('residents', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhood.id'], name=op.f('fk_reference_population_neighbourhood_id_neighbourhood'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('neighbourhood_id', 'age_band', name=op.f('pk_reference_population')),
    sqlite_with_rowid=False
    )


def downgrade():
    op.drop_table('reference_population')
    with op.batch_alter_table('attendance_profile', schema=None) as batch_op:
        batch_op.drop_column('language')
        batch_op.drop_column('first_time')
