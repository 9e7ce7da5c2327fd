"""The adapter from rows to the quoracy rule, terms of reference versions and members."""
from __future__ import annotations

from datetime import date

import pytest

from riskapp.committees import services
from riskapp.committees.services import CommitteeError

TODAY = date(2024, 1, 10)
NEM_CHAIR = "Non-Executive Member (Chair)"
CPCO, CMD, CFO = ("ICB Chief Primary Care Officer", "ICB Chief Medical Director",
                  "ICB Chief Finance Officer")
CND = "ICB Chief Nursing Director"
CLIN2 = "Clinical Representative (primary care leadership) 2"


def check(pccac, present, deputies=(), excluded=()):
    return services.check_quoracy(pccac, list(present), list(deputies), list(excluded), TODAY)


def test_pccac_v3_in_force_and_v2_readable(pccac):
    tor = services.tor_in_force(pccac)
    assert tor.version == "3.0" and tor.deputy_policy == "required_members_only"
    assert [t.version for t in pccac.terms if t.status == "superseded"] == ["2.0"]
    assert tor.papers_deadline_days == 5 and tor.attendance_threshold_percent == 75
    assert services.tor_on(pccac, date(2023, 1, 5)).version == "2.0"
    assert services.tor_on(pccac, date(2023, 11, 16)).version == "3.0"


def test_cmd_and_cpco_fill_two_slots_not_one(pccac, members):
    """With the CMD and the CPCO present, one fills "CPCO or CMD", the other "one other"."""
    ids = [members[p].id for p in (NEM_CHAIR, CPCO, CMD, CFO)]
    result = check(pccac, ids)
    assert result.quorate
    by = {f.requirement: f.by for f in result.filled}
    assert {by["CPCO or CMD"], by["One other executive board member"]} == \
        {members[CPCO].name, members[CMD].name}


def test_without_a_fourth_executive_it_is_inquorate(pccac, members):
    result = check(pccac, [members[p].id for p in (NEM_CHAIR, CPCO, CFO)])
    assert not result.quorate
    assert result.unfilled == ["One other executive board member"]


def test_deputy_counts_for_cfo_but_not_for_a_clinical_representative(pccac, members):
    ids = [members[p].id for p in (NEM_CHAIR, CPCO, CND)]
    result = check(pccac, ids, deputies=[(members[CFO].id, "Jo Prentice"),
                                         (members[CLIN2].id, "Dr Locum")])
    assert result.quorate
    assert any(f.by == f"Jo Prentice (deputy for {members[CFO].name})" for f in result.filled)
    assert [n.why for n in result.not_counted] == [
        f"the deputy for {members[CLIN2].name} does not count: "
        "that member is not required for quoracy"]


def test_deputy_for_a_member_who_is_present_is_refused(pccac, members):
    ids = [members[p].id for p in (NEM_CHAIR, CPCO, CND, CFO)]
    result = check(pccac, ids, deputies=[(members[CFO].id, "Jo Prentice")])
    assert "is present" in result.not_counted[0].why


def test_one_person_in_two_positions_fills_one_slot(pccac, members, db):
    # The CPCO also acts as CFO: one person still fills only one requirement.
    members[CPCO].positions = [CPCO, CFO]
    members[CFO].ended_on = date(2023, 12, 31)
    db.session.flush()
    ids = [members[p].id for p in (NEM_CHAIR, CPCO, CND)]
    result = check(pccac, ids)
    assert not result.quorate and len(result.unfilled) == 1
    result = check(pccac, ids + [members[CMD].id])
    assert result.quorate


def test_excluded_member_does_not_count(pccac, members):
    ids = [members[p].id for p in (NEM_CHAIR, CPCO, CND, CFO)]
    result = check(pccac, ids, excluded=[members[CFO].id])
    assert not result.quorate and "CFO" in result.unfilled


def test_quoracy_check_refuses_non_members(pccac):
    with pytest.raises(CommitteeError) as err:
        check(pccac, [99999])
    assert err.value.field == "present"


def test_draft_copies_the_rules_and_approval_supersedes(pccac, db):
    draft = services.create_draft(pccac, "4.0")
    assert draft.status == "draft" and len(draft.requirements) == 4 and len(draft.positions) == 9
    with pytest.raises(CommitteeError, match="two years"):
        services.approve_tor(draft, "Board", date(2024, 5, 1), date(2026, 6, 1))
    services.approve_tor(draft, "Board", date(2024, 5, 1), date(2026, 5, 1))
    assert services.tor_in_force(pccac) is draft
    assert [t.version for t in pccac.terms if t.status == "in_force"] == ["4.0"]
    with pytest.raises(CommitteeError, match="start a new draft"):
        services.update_tor(draft, {"papers_deadline_days": 3})


def test_unmeetable_rule_is_accepted_with_a_warning(pccac, db):
    draft = services.create_draft(pccac, "4.0")
    services.add_position(draft, dict(name="ICB Chief People Officer",
                                      category="executive_board_member", voting=True,
                                      chair=False, deputy_chair=False))
    services.add_requirement(draft, dict(label="CPO", count=1,
                                         positions=["ICB Chief People Officer"], categories=[]))
    services.approve_tor(draft, "Board", date(2024, 5, 1), date(2026, 4, 1))
    assert services.membership_warnings(pccac, TODAY) == ["CPO: no member holds this position"]


def test_add_member_refusals(pccac):
    with pytest.raises(CommitteeError) as err:
        services.add_member(pccac, dict(positions=[CFO], appointed_on=TODAY))
    assert err.value.field == "user_id"
    with pytest.raises(CommitteeError) as err:
        services.add_member(pccac, dict(person_name="X", positions=["Dean"], appointed_on=TODAY))
    assert err.value.field == "positions"
    m = services.add_member(pccac, dict(person_name="Healthwatch rep", positions=[CLIN2],
                                        appointed_on=TODAY))
    services.end_member(m, date(2024, 6, 30))
    assert not m.is_current(date(2024, 7, 1)) and m in pccac.members
