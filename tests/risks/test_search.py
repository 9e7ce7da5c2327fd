"""The risk list's text search read from an index (issue 9) finds exactly the risks the plain
case-insensitive substring match finds: inside words, in any case, short terms, `%` and `_`
as themselves, in each field, and after risks are edited, added and deleted."""
import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, insert, or_, select, text, update

from riskapp.extensions import db as _db
from riskapp.risks.models import Risk
from riskapp.risks.search import risk_matches
from tests.conftest import is_postgres
from tests.factories import make_risk, make_user


def _before(term: str):
    """The plain search without the index: ILIKE on PostgreSQL, LIKE (which ignores ASCII
    case) on SQLite, over the three fields, the term stripped, `%` and `_` escaped."""
    escaped = term.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    columns = (Risk.reference, Risk.title, Risk.description)
    if _db.engine.dialect.name == "sqlite":
        return or_(*(c.like(pattern, escape="\\") for c in columns))
    return or_(*(c.ilike(pattern, escape="\\") for c in columns))


def _found(condition) -> set[str]:
    return set(_db.session.scalars(select(Risk.reference).where(condition)))


def _search(term: str) -> set[str]:
    return _found(risk_matches(term))


@pytest.fixture
def risks(db):
    owner = make_user()
    made = {
        "winter": make_risk(owner, title="Winter capacity pressures",
                            description="Bed occupancy above 95% in January"),
        "estates": make_risk(owner, title="Estates backlog",
                             description="Roof repairs_overdue at St Mary's"),
        "cyber": make_risk(owner, title="Cyber security",
                           description="Unpatched CAPACITY planning tool"),
        "cafe": make_risk(owner, title="Digital resilience",
                          description="Café and ÉTUDE systems: naïve failover"),
        "quote": make_risk(owner, title='Quote "marks" here', description=""),
    }
    db.session.commit()
    return {name: risk.reference for name, risk in made.items()}


TERMS = ("capacity", "CAPACITY", "Capacity", "apaci", "  capacity  ", "pressures", "in january",
         "roof", "st mary's", "backlog", "a", "pa", "ca", "y p", "95%", "%", "_", "s_o",
         "repairs_overdue", "5%", "%ap%ty", '"marks"', 'e "m', "café", "CAFÉ", "étude", "naïve",
         "NAÏVE", "é", "nothing like this", "baf", "BAF0003", "f00", "0", "  ", "risk")


@pytest.mark.parametrize("term", TERMS)
def test_finds_exactly_the_risks_it_found_before(risks, term):
    assert _search(term) == _found(_before(term))


def test_substring_in_any_field_in_any_case(risks):
    assert _search("capacity") == {risks["winter"], risks["cyber"]}
    assert _search("APACI") == {risks["winter"], risks["cyber"]}  # inside a word
    assert _search("occupancy") == {risks["winter"]}  # description
    assert _search("backlog") == {risks["estates"]}  # title
    assert _search(risks["cyber"].lower()) == {risks["cyber"]}  # reference
    assert _search('"marks"') == {risks["quote"]}
    assert _search("nothing like this") == set()


def test_short_terms_and_percent_and_underscore_as_typed(risks):
    assert _search("pa") == {risks["winter"], risks["cyber"], risks["estates"]}  # repairs
    assert _search("%") == {risks["winter"]}  # "95%", not every risk
    assert _search("95%") == {risks["winter"]}
    assert _search("s_o") == {risks["estates"]}  # "repairs_overdue"
    assert _search("_") == {risks["estates"]}
    assert _search("9_%") == set()  # no wildcards: nothing holds "9_%"
    assert _search("c_p_c") == set()
    assert _search("\\") == set()


def test_case_of_non_ascii_letters_as_each_database_compares_it(risks, db_backend):
    # LIKE on SQLite ignores the case of ASCII letters only; ILIKE on PostgreSQL of all.
    assert _search("café") == {risks["cafe"]}
    assert _search("CAFÉ") == ({risks["cafe"]} if db_backend == "postgresql" else set())
    assert _search("étude") == ({risks["cafe"]} if db_backend == "postgresql" else set())
    assert _search("Étude") == {risks["cafe"]}  # the stored É, and ASCII letters in any case


def test_the_index_follows_edits_additions_and_deletions(risks, db):
    winter = db.session.scalar(select(Risk).where(Risk.reference == risks["winter"]))
    winter.title = "Seasonal surge"
    winter.description = "Ambulance handover delays"
    db.session.commit()
    assert _search("capacity") == {risks["cyber"]}
    assert _search("surge") == {risks["winter"]}
    assert _search("handover") == {risks["winter"]}

    # Written by statements, not the ORM: as the scale generator, imports and bulk edits do.
    db.session.execute(update(Risk).where(Risk.reference == risks["cyber"])
                       .values(title="Cyber resilience", description="Patched"))
    values = {c: getattr(winter, c) for c in (
        "register_id", "owner_id", "initial_consequence", "initial_likelihood",
        "current_consequence", "current_likelihood", "current_score", "version",
        "opened_on", "created_at", "updated_at", "status")}
    db.session.execute(insert(Risk), [dict(values, number=900, reference="BAF0900",
                                          title="Bulk capacity", description="Loaded")])
    db.session.commit()
    assert _search("capacity") == {"BAF0900"}
    assert _search("patched") == {risks["cyber"]}

    db.session.execute(delete(Risk).where(Risk.reference == "BAF0900"))
    db.session.commit()
    assert _search("capacity") == set()
    assert _search("loaded") == set()
    assert _search("patched") == {risks["cyber"]}


def test_the_list_and_the_api_search_the_same_way(risks, client, auth):
    auth.login(make_user("board"))
    page = client.get("/risks/?q=CAPACITY&sort=review").get_data(as_text=True)
    for name, reference in risks.items():
        assert (f'href="/risks/{reference}"' in page) == (name in ("winter", "cyber"))
    listed = client.get("/api/v1/risks?q=apaci").get_json()
    assert {r["ref"] for r in listed["items"]} == {risks["winter"], risks["cyber"]}
    assert listed["total"] == 2


@pytest.mark.sqlite_only
def test_sqlite_reads_its_trigram_table_for_terms_of_three_characters(risks, db):
    """Emptied, the table finds nothing for a term it serves, and LIKE still serves the rest:
    the search does read it (the tests above would pass with LIKE alone)."""
    db.session.execute(text("DELETE FROM risk_search"))
    assert _search("capacity") == set()
    assert _search("pa") == {risks["winter"], risks["cyber"], risks["estates"]}
    assert _search("95%") == set()  # three characters or more, "%" among them: the table too
    db.session.rollback()


@pytest.mark.postgres_only
@pytest.mark.skipif(not is_postgres(), reason="needs RISKAPP_TEST_DATABASE_URL=postgresql://...")
def test_postgresql_has_trigram_indexes_that_serve_ilike(risks, db):
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.session.scalars(text(
        "EXPLAIN SELECT id FROM risks WHERE " + str(risk_matches("capacity").compile(
            db.engine, compile_kwargs={"literal_binds": True})))))
    for index in ("ix_risks_reference_trgm", "ix_risks_title_trgm", "ix_risks_description_trgm"):
        assert index in plan
    db.session.rollback()


@pytest.mark.sqlite_only
def test_the_migration_indexes_the_risks_already_there(tmp_path):
    from riskapp import create_app
    app = create_app({"TESTING": True, "SECRET_KEY": "t",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'search.sqlite'}"})
    with app.app_context():
        upgrade(revision="5e4c1b7a9d20-1")
        # A risk as the database held it then: plain SQL with that revision's columns (today's
        # models have columns later migrations add).
        _db.session.execute(text(
            "INSERT INTO users (id, email, name, role, active, session_nonce, created_at) "
            "VALUES (1, 'owner@example.org', 'Owner', 'staff', 1, 'n', '2023-11-01 09:00')"))
        _db.session.execute(text(
            "INSERT INTO registers (id, name, prefix, next_number) VALUES (1, 'BAF', 'BAF', 2)"))
        _db.session.execute(text(
            "INSERT INTO risks (register_id, number, reference, title, description, owner_id, "
            "status, initial_consequence, initial_likelihood, current_consequence, "
            "current_likelihood, current_score, opened_on, version, created_at, updated_at) "
            "VALUES (1, 1, 'BAF0001', 'Winter capacity', '', 1, 'Open', 4, 4, 4, 4, 16, "
            "'2023-11-01', 1, '2023-11-01 09:00', '2023-11-01 09:00')"))
        _db.session.commit()
        reference = "BAF0001"
        upgrade(revision="5e4c1b7a9d20")
        assert _search("capacity") == {reference}
        _db.session.execute(text(
            "INSERT INTO risks (register_id, number, reference, title, description, owner_id, "
            "status, initial_consequence, initial_likelihood, current_consequence, "
            "current_likelihood, current_score, opened_on, version, created_at, updated_at) "
            "VALUES (1, 2, 'BAF0002', 'Theatre capacity', '', 1, 'Open', 3, 3, 3, 3, 9, "
            "'2023-11-02', 1, '2023-11-02 09:00', '2023-11-02 09:00')"))
        _db.session.commit()
        assert _search("capacity") == {reference, "BAF0002"}  # the triggers index new risks
        _db.session.remove()
        _db.engine.dispose()
