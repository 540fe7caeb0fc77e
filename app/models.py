"""Imports every domain's models so that the metadata (and Alembic) sees all tables."""

from app.auth.models import AuditEvent, Invitation, User, UserRole  # noqa: F401
from app.ballot_box import BoxEntry  # noqa: F401
from app.compensation.models import Activity, Claim, Expense, FiscalLimitRow, PayoutBatch, Team, Volunteer  # noqa: F401
from app.councils.models import AttendanceProfile, Council, OutcomeSubscriber, Ticket  # noqa: F401
from app.finance.models import FundingSource  # noqa: F401
from app.places.models import Alliance, Area, Neighbourhood  # noqa: F401
from app.proposals.models import CostLine, ProgressUpdate, Proposal, ProposalEvent, ProposalImage, ProposalTranslation  # noqa: F401
from app.reach.models import ReferencePopulation  # noqa: F401
from app.voting.models import Ballot, BudgetRound, PaperBatch, RoundOption, SubBudget, Submission  # noqa: F401
