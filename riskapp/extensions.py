"""Flask extensions, created unbound and initialised in `create_app`."""
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Session
from sqlalchemy_continuum import make_versioned, versioning_manager
from sqlalchemy_continuum.unit_of_work import UnitOfWork
from sqlalchemy_continuum.plugins.base import Plugin

# Named constraints let Alembic alter and drop them, on SQLite (batch mode) too.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class _Actor(Plugin):
    """Each versioning transaction records who made it: the signed-in user, or the actor a
    command or job set (riskapp.audit.tracking.set_actor)."""

    def transaction_args(self, uow, session):
        from .audit.tracking import current_actor_id  # imported late: it imports the models
        return {"user_id": current_actor_id()}


# The temporal store (issue 14): SQLAlchemy-Continuum keeps every version of each model that
# declares `__versioned__`, with the validity strategy (each version row carries the transaction
# that made it and the one that ended it), so "as at the end of a day" is one indexed range
# read per table (riskapp.record.as_at). Must run before the models are defined.
make_versioned(user_cls="User", plugins=[_Actor()],
               options={"transaction_column_name": "transaction_id",
                        "end_transaction_column_name": "end_transaction_id"})


class _JoiningUnitOfWork(UnitOfWork):
    """Continuum writes its transaction row through a second session on the same connection,
    made at the first versioned flush. Made inside a SAVEPOINT (the attendance register's
    double-click-safe insert), that session opened a savepoint of its own that it never ended,
    so releasing ours warned "nested transaction already deassociated from connection".
    It joins the connection's transaction as it stands instead ("rollback_only": what it does
    anyway when made outside a savepoint)."""

    def _join(self, session) -> None:
        if self.version_session is None:
            self.version_session = Session(bind=session.connection(),
                                           join_transaction_mode="rollback_only")

    def process_before_flush(self, session):
        if session is not self.version_session:
            self._join(session)
        return super().process_before_flush(session)

    def process_after_flush(self, session):
        if session is not self.version_session:
            self._join(session)
        return super().process_after_flush(session)


versioning_manager.uow_class = _JoiningUnitOfWork

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
