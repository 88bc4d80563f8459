"""quizzes: question bank, quizzes, overrides, attempts, attempt slots and answers

Revision ID: 20261123_0003
Revises: 20261123_0001
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
from lms.db import UTCDateTime


revision = '20261123_0003'
down_revision = '20261123_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('quiz_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=400), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_category')),
    sa.UniqueConstraint('path', name=op.f('uq_quiz_category_path'))
    )
    op.create_table('quiz',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('practice', 'entrance', 'exit', 'final', name='purpose', native_enum=False, length=20), nullable=False),
    sa.Column('program_code', sa.String(length=80), nullable=True),
    sa.Column('owner_unit_id', sa.Integer(), nullable=False),
    sa.Column('time_limit_minutes', sa.Integer(), nullable=True),
    sa.Column('opens_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('closes_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts_allowed', sa.Integer(), nullable=False),
    sa.Column('grading_method', sa.Enum('highest', 'last', 'first', 'average', name='gradingmethod', native_enum=False, length=20), nullable=False),
    sa.Column('pass_mark', sa.Numeric(precision=4, scale=2), nullable=False),
    sa.Column('shuffle_questions', sa.Boolean(), nullable=False),
    sa.Column('shuffle_choices', sa.Boolean(), nullable=False),
    sa.Column('navigation', sa.Enum('one_page', 'paged', name='navigation', native_enum=False, length=20), nullable=False),
    sa.Column('review_score', sa.Boolean(), nullable=False),
    sa.Column('review_right_answers', sa.Boolean(), nullable=False),
    sa.Column('review_feedback', sa.Boolean(), nullable=False),
    sa.Column('settings_digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('attempts_allowed >= 0', name=op.f('ck_quiz_attempts_allowed_positive')),
    sa.CheckConstraint('pass_mark >= 0 AND pass_mark <= 10', name=op.f('ck_quiz_pass_mark_range')),
    sa.ForeignKeyConstraint(['owner_unit_id'], ['unit.id'], name=op.f('fk_quiz_owner_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz')),
    sa.UniqueConstraint('code', name=op.f('uq_quiz_code')),
    sa.UniqueConstraint('public_id', name=op.f('uq_quiz_public_id'))
    )
    with op.batch_alter_table('quiz', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_owner_unit_id'), ['owner_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_program_code'), ['program_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_purpose'), ['purpose'], unique=False)

    op.create_table('quiz_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=120), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('tags', sa.String(length=400), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['quiz_category.id'], name=op.f('fk_quiz_question_category_id_quiz_category')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_question')),
    sa.UniqueConstraint('code', name=op.f('uq_quiz_question_code')),
    sa.UniqueConstraint('public_id', name=op.f('uq_quiz_question_public_id'))
    )
    with op.batch_alter_table('quiz_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_question_category_id'), ['category_id'], unique=False)

    op.create_table('quiz_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('time_limit_minutes', sa.Integer(), nullable=True),
    sa.Column('attempts_allowed', sa.Integer(), nullable=True),
    sa.Column('closes_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_quiz_override_quiz_id_quiz'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_quiz_override_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_override')),
    sa.UniqueConstraint('quiz_id', 'user_id', name=op.f('uq_quiz_override_quiz_id_user_id'))
    )
    with op.batch_alter_table('quiz_override', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_override_quiz_id'), ['quiz_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_override_user_id'), ['user_id'], unique=False)

    op.create_table('quiz_question_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('qtype', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('text_html', sa.Text(), nullable=False),
    sa.Column('general_feedback_html', sa.Text(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('default_points', sa.Float(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['quiz_question.id'], name=op.f('fk_quiz_question_version_question_id_quiz_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_question_version')),
    sa.UniqueConstraint('question_id', 'version', name=op.f('uq_quiz_question_version_question_id_version'))
    )
    with op.batch_alter_table('quiz_question_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_question_version_question_id'), ['question_id'], unique=False)

    op.create_table('quiz_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('points', sa.Float(), nullable=False),
    sa.CheckConstraint('(question_id IS NULL) <> (category_id IS NULL)', name=op.f('ck_quiz_slot_question_or_category')),
    sa.CheckConstraint('points > 0', name=op.f('ck_quiz_slot_points_positive')),
    sa.ForeignKeyConstraint(['category_id'], ['quiz_category.id'], name=op.f('fk_quiz_slot_category_id_quiz_category')),
    sa.ForeignKeyConstraint(['question_id'], ['quiz_question.id'], name=op.f('fk_quiz_slot_question_id_quiz_question')),
    sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_quiz_slot_quiz_id_quiz'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_slot')),
    sa.UniqueConstraint('quiz_id', 'position', name=op.f('uq_quiz_slot_quiz_id_position'))
    )
    with op.batch_alter_table('quiz_slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_slot_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_slot_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_slot_quiz_id'), ['quiz_id'], unique=False)

    op.create_table('quiz_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('quiz_version', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('open', 'finished', name='attemptstate', native_enum=False, length=20), nullable=False),
    sa.Column('started_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('deadline', UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('points', sa.Float(), nullable=True),
    sa.Column('max_points', sa.Float(), nullable=False),
    sa.Column('score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('pending', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadre_profile.id'], name=op.f('fk_quiz_attempt_cadre_id_cadre_profile')),
    sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_quiz_attempt_quiz_id_quiz')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_quiz_attempt_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_attempt')),
    sa.UniqueConstraint('public_id', name=op.f('uq_quiz_attempt_public_id')),
    sa.UniqueConstraint('quiz_id', 'user_id', 'number', name=op.f('uq_quiz_attempt_quiz_id_user_id_number'))
    )
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_attempt_cadre_id'), ['cadre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_attempt_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_attempt_quiz_id'), ['quiz_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_attempt_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_attempt_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_quiz_attempt_one_open', ['quiz_id', 'user_id'], unique=True, sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))

    op.create_table('quiz_attempt_answer',
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('saved_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempt.id'], name=op.f('fk_quiz_attempt_answer_attempt_id_quiz_attempt'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('attempt_id', 'position', name=op.f('pk_quiz_attempt_answer'))
    )
    op.create_table('quiz_attempt_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question_version_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('choice_order', sa.Text(), nullable=False),
    sa.Column('fraction', sa.Float(), nullable=True),
    sa.Column('awarded', sa.Float(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('graded_by_id', sa.Integer(), nullable=True),
    sa.Column('graded_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempt.id'], name=op.f('fk_quiz_attempt_slot_attempt_id_quiz_attempt'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['graded_by_id'], ['user_account.id'], name=op.f('fk_quiz_attempt_slot_graded_by_id_user_account')),
    sa.ForeignKeyConstraint(['question_version_id'], ['quiz_question_version.id'], name=op.f('fk_quiz_attempt_slot_question_version_id_quiz_question_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_attempt_slot')),
    sa.UniqueConstraint('attempt_id', 'position', name=op.f('uq_quiz_attempt_slot_attempt_id_position'))
    )
    with op.batch_alter_table('quiz_attempt_slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_attempt_slot_attempt_id'), ['attempt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_attempt_slot_question_version_id'), ['question_version_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('quiz_attempt_slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_attempt_slot_question_version_id'))
        batch_op.drop_index(batch_op.f('ix_quiz_attempt_slot_attempt_id'))

    op.drop_table('quiz_attempt_slot')
    op.drop_table('quiz_attempt_answer')
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.drop_index('uq_quiz_attempt_one_open', sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))
        batch_op.drop_index(batch_op.f('ix_quiz_attempt_user_id'))
        batch_op.drop_index(batch_op.f('ix_quiz_attempt_state'))
        batch_op.drop_index(batch_op.f('ix_quiz_attempt_quiz_id'))
        batch_op.drop_index(batch_op.f('ix_quiz_attempt_deadline'))
        batch_op.drop_index(batch_op.f('ix_quiz_attempt_cadre_id'))

    op.drop_table('quiz_attempt')
    with op.batch_alter_table('quiz_slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_slot_quiz_id'))
        batch_op.drop_index(batch_op.f('ix_quiz_slot_question_id'))
        batch_op.drop_index(batch_op.f('ix_quiz_slot_category_id'))

    op.drop_table('quiz_slot')
    with op.batch_alter_table('quiz_question_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_question_version_question_id'))

    op.drop_table('quiz_question_version')
    with op.batch_alter_table('quiz_override', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_override_user_id'))
        batch_op.drop_index(batch_op.f('ix_quiz_override_quiz_id'))

    op.drop_table('quiz_override')
    with op.batch_alter_table('quiz_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_question_category_id'))

    op.drop_table('quiz_question')
    with op.batch_alter_table('quiz', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_purpose'))
        batch_op.drop_index(batch_op.f('ix_quiz_program_code'))
        batch_op.drop_index(batch_op.f('ix_quiz_owner_unit_id'))

    op.drop_table('quiz')
    op.drop_table('quiz_category')
