"""Import every model so metadata (and Alembic) sees them all."""
from .audit.models import AuditEntry  # noqa: F401
from .auth.models import ApiToken, Directorate, PasswordLink, User  # noqa: F401
from .settings.models import AppetiteCategory, Organisation  # noqa: F401
from .committees.models import (  # noqa: F401
    CalendarFeedToken, Committee, CommitteeMember, TermsOfReference, TorPosition, TorRequirement,
)
from .risks.models import (  # noqa: F401
    Action, ActionProgress, AppetiteLevel, Assurance, Band, Control, Gap, Register, Risk,
    ScoreRecord,
)
from .meetings.models import (  # noqa: F401
    AgendaItem, Attendance, Declaration, Meeting, MeetingAction, MinuteCorrection, Vote,
)
from .reminders.models import Reminder, ReminderAttempt  # noqa: F401
from .assurance.models import AssuranceRule  # noqa: F401
from .ratelimits import RateLimitCounter  # noqa: F401
from .jobs.models import Job  # noqa: F401

from .reports.models import DrawnPack, UsedPreview  # noqa: F401

# Continuum builds the version classes of every `__versioned__` model once all are mapped.
from sqlalchemy.orm import configure_mappers  # noqa: E402

configure_mappers()

# Indexes of version tables that no model column asks for (Continuum copies a column's own
# index=True only). A register as at a day reads its risks' versions by register: a BAF of a
# dozen risks beside a corporate register of thousands reads a dozen rows, not every version.
from sqlalchemy import Index  # noqa: E402
from sqlalchemy_continuum import version_class  # noqa: E402

Index("ix_risks_version_register_id", version_class(Risk).__table__.c.register_id)
# The latest review of each risk held by a day (`record.as_at.latest_review_then`): its
# reviews walked newest first, a row or two a risk. The record's first day: MIN(opened_on).
_reviews_v = version_class(ScoreRecord).__table__
Index("ix_score_records_version_risk_held", _reviews_v.c.risk_id, _reviews_v.c.recorded_on,
      _reviews_v.c.id)
Index("ix_risks_version_opened_on", version_class(Risk).__table__.c.opened_on)
