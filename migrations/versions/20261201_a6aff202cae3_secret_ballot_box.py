"""secret ballot box: sealed entries, sealed resubmissions, shuffled ballots and profiles

Carries an installation over to the sealed ballot box (app/ballot_box.py):
- new table ballot_box (sealed entries waiting to be mixed), budget_round.publication;
- ballot_submission is rebuilt without rowid and with a sealed receipt; its old rows (a
  plaintext receipt per form, in voting order) are dropped: they only serve a resubmission
  during a running vote, and their old keys cannot be converted;
- every ballot is rewritten with a new random key in random order, in one transaction, so
  neither the PostgreSQL heap order and transaction ids nor SQLite's pages keep the order of
  voting (receipts and choices are unchanged, so every closed round recounts the same);
- attendance_profile is rebuilt without rowid, random keys, shuffled;
- ticket sign-in times go to the hour, consent times to the day, and desk sign-ins in the
  audit log point at the council, to the hour, instead of at the ticket;
- then VACUUM (SQLite: the whole file, and the log truncated; PostgreSQL: VACUUM FULL of the
  rewritten tables), so the old order is gone from the upgraded files.

Revision ID: a6aff202cae3
Revises: 5029be1528b6
Create Date: 2026-12-01 20:20:00

"""
import secrets

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'a6aff202cae3'
down_revision = '5029be1528b6'
branch_labels = None
depends_on = None

_random = secrets.SystemRandom()


def _hour(value):
    return value.replace(minute=0, second=0, microsecond=0) if value is not None else None


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table('budget_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publication', sa.String(length=10), nullable=False, server_default='receipts'))

    op.create_table('ballot_box',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('scope_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=10), nullable=True),
    sa.Column('lookup', sa.String(length=64), nullable=True),
    sa.Column('held_by_batch_id', sa.Integer(), nullable=True),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['held_by_batch_id'], ['paper_batch.id'], name=op.f('fk_ballot_box_held_by_batch_id_paper_batch'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_box')),
    sa.UniqueConstraint('lookup', name=op.f('uq_ballot_box_lookup')),
    sqlite_with_rowid=False
    )
    op.create_index('ix_ballot_box_kind_scope_id', 'ballot_box', ['kind', 'scope_id'], unique=False)

    op.drop_table('ballot_submission')
    op.create_table('ballot_submission',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('sealed_receipt', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['budget_round.id'], name=op.f('fk_ballot_submission_round_id_budget_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_ballot_submission')),
    sqlite_with_rowid=False
    )
    op.create_index(op.f('ix_ballot_submission_round_id'), 'ballot_submission', ['round_id'], unique=False)

    # Ballots: new random keys, shuffled, in one statement.
    columns = ['round_id', 'sub_budget_id', 'channel', 'choices', 'receipt', 'cast_on', 'paper_batch_id', 'confirmed']
    types = {'cast_on': sa.Date(), 'confirmed': sa.Boolean()}
    ballot = sa.table('ballot', sa.column('id', sa.String), *[sa.column(c, types.get(c)) for c in columns])
    rows = [dict(row._mapping) for row in bind.execute(sa.select(*[ballot.c[c] for c in columns]))]
    _random.shuffle(rows)
    bind.execute(ballot.delete())
    if rows:
        bind.execute(ballot.insert(), [{"id": secrets.token_hex(16), **row} for row in rows])

    # Attendance profiles: rebuilt without rowid, random keys, shuffled.
    old_profiles = [dict(row._mapping) for row in bind.execute(sa.text(
        'SELECT council_id, neighbourhood_id, age_band, first_time, language FROM attendance_profile'))]
    op.drop_index('ix_attendance_profile_council_id', table_name='attendance_profile')
    op.drop_table('attendance_profile')
    op.create_table('attendance_profile',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('council_id', sa.Integer(), nullable=False),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=True),
    sa.Column('age_band', sa.String(length=10), nullable=True),
    sa.Column('first_time', sa.String(length=8), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=True),
    sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_attendance_profile_council_id_council'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhood.id'], name=op.f('fk_attendance_profile_neighbourhood_id_neighbourhood'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_profile')),
    sqlite_with_rowid=False
    )
    op.create_index(op.f('ix_attendance_profile_council_id'), 'attendance_profile', ['council_id'], unique=False)
    _random.shuffle(old_profiles)
    if old_profiles:
        profile = sa.table('attendance_profile', *[sa.column(c) for c in ('id', 'council_id', 'neighbourhood_id', 'age_band', 'first_time', 'language')])
        bind.execute(profile.insert(), [{"id": secrets.token_hex(16), **row} for row in old_profiles])

    # Times no finer than needed.
    ticket = sa.table('ticket', sa.column('id', sa.Integer), sa.column('signed_in_at', sa.DateTime), sa.column('council_id', sa.Integer))
    for ticket_id, signed_in_at in bind.execute(sa.select(ticket.c.id, ticket.c.signed_in_at).where(ticket.c.signed_in_at.is_not(None))).all():
        bind.execute(ticket.update().where(ticket.c.id == ticket_id).values(signed_in_at=_hour(signed_in_at)))
    subscriber = sa.table('outcome_subscriber', sa.column('id', sa.Integer), sa.column('consented_at', sa.DateTime))
    for subscriber_id, consented_at in bind.execute(sa.select(subscriber.c.id, subscriber.c.consented_at)).all():
        day = consented_at.replace(hour=0, minute=0, second=0, microsecond=0)
        bind.execute(subscriber.update().where(subscriber.c.id == subscriber_id).values(consented_at=day))
    audit = sa.table('audit_event', sa.column('id', sa.Integer), sa.column('action', sa.String), sa.column('object_type', sa.String),
                     sa.column('object_id', sa.String), sa.column('created_at', sa.DateTime))
    councils = dict(bind.execute(sa.select(ticket.c.id, ticket.c.council_id)).all())
    for event_id, object_id, created_at in bind.execute(sa.select(audit.c.id, audit.c.object_id, audit.c.created_at)
                                                        .where(audit.c.action == 'ticket.desk_sign_in')).all():
        council_id = councils.get(int(object_id)) if object_id and object_id.isdigit() else None
        bind.execute(audit.update().where(audit.c.id == event_id).values(
            action='council.desk_sign_in', object_type='council' if council_id else None,
            object_id=str(council_id) if council_id else None, created_at=_hour(created_at)))

    # Rebuild the files so that the old order is gone (outside the migration's transaction).
    with op.get_context().autocommit_block():
        if bind.dialect.name == 'sqlite':
            op.execute('VACUUM')
            op.execute('PRAGMA wal_checkpoint(TRUNCATE)')
        elif bind.dialect.name == 'postgresql':
            for table in ('ballot', 'ballot_submission', 'attendance_profile', 'ticket', 'audit_event', 'outcome_subscriber'):
                op.execute(f'VACUUM FULL {table}')


def downgrade():
    op.drop_index(op.f('ix_attendance_profile_council_id'), table_name='attendance_profile')
    op.drop_table('attendance_profile')
    op.create_table('attendance_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.Integer(), nullable=False),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=True),
    sa.Column('age_band', sa.String(length=10), nullable=True),
    sa.Column('first_time', sa.String(length=8), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=True),
    sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_attendance_profile_council_id_council'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhood.id'], name=op.f('fk_attendance_profile_neighbourhood_id_neighbourhood'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_profile'))
    )
    op.create_index(op.f('ix_attendance_profile_council_id'), 'attendance_profile', ['council_id'], unique=False)
    op.drop_index(op.f('ix_ballot_submission_round_id'), table_name='ballot_submission')
    op.drop_table('ballot_submission')
    op.create_table('ballot_submission',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('receipt', sa.String(length=10), nullable=False),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_ballot_submission'))
    )
    op.drop_index('ix_ballot_box_kind_scope_id', table_name='ballot_box')
    op.drop_table('ballot_box')
    with op.batch_alter_table('budget_round', schema=None) as batch_op:
        batch_op.drop_column('publication')
