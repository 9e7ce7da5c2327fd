"""The BAF pack PDF (heatmap report) from plain data, read back with poppler's tools.

Two packs: a literal copy of four risks of BLMK's November 2023 "System Risk Register (BAF)"
(shared/data/blmk_baf_2023.json), and a generated register full of hostile text. Each is
rendered once and read back with pdftotext / pdfinfo / pdffonts / pdfimages (Debian package
poppler-utils), so the assertions are about what a reader of the PDF gets.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from riskapp.reports.baf_pdf import render_baf_pack
from riskapp.reports.pack_data import (
    BafPack,
    Band,
    MovementCell,
    PackAction,
    PackAssurance,
    PackControl,
    PackRisk,
    Score,
    band_for,
    format_priority,
)

LONDON = ZoneInfo("Europe/London")
BLMK_BANDS = (Band("Low", 1, 3, "#00B050"), Band("Medium", 4, 9, "#FFC000"),
              Band("High", 10, 25, "#FF0000"))
MONTHS = ("Apr-23", "May-23", "Jun-23", "Jul-23", "Aug-23", "Sep-23", "Oct-23", "Nov-23",
          "Dec-23", "Jan-24", "Feb-24", "Mar-24")
AS_OF = date(2023, 11, 29)
MOVEMENT_TITLE = "Risk Movement Over Time (23/24)"
DETAIL_TITLE = "Risk detail by band"


# --- Fixtures: data ----------------------------------------------------------------------------

def _movement(scores: list[int | None], not_reviewed: tuple[int, ...] = ()) -> tuple:
    """Twelve month cells from Apr: the given scores, then blank after the report date."""
    scores = scores + [None] * (12 - len(scores))
    return tuple(MovementCell(s, i not in not_reviewed) for i, s in enumerate(scores))


def _action(detail: str, assignee: str, target: date, status: str) -> PackAction:
    overdue = target < AS_OF and status not in ("Complete", "Cancelled")
    return PackAction(detail, assignee, target, status, overdue)


def _blmk_risks() -> tuple[PackRisk, ...]:
    """Four risks copied from the source report (scores are consequence:likelihood)."""
    return (
        PackRisk(
            ref="BAF0001", title="Recovery of Elective Services",
            description="There is a risk that the NHS is unable to recover elective services "
            "and waiting times to pre-pandemic levels due to Covid and Urgent and Emergency Care "
            "pathway related pressures, workforce constraints or demand led pressures. This may "
            "lead to poorer patient outcomes and reputation damage.",
            owner="Anne Brierley", lead="Michael Ramsden", status="Open",
            initial=Score(4, 5), current=Score(4, 5), target=Score(4, 3),
            controls=tuple(PackControl(c) for c in (
                "The actions and controls to support the Pandemic and System Pressures risk "
                "will support Elective Recovery",
                "Processes in place to ensure those with most urgent clinical needs are treated "
                "first",
                "An Elective Recovery Board has been convened to track recovery and instigate "
                "actions",
                "RTT reporting enabling wait list size trends",
                "Optimising use of available resources",
                "Independent Sector and community services use to support Trusts in their wait "
                "reduction",
                "Trusts Elective recovery plans",
            )),
            assurances=(
                PackAssurance(1, "Process embedded into clinical services for all relevant "
                                 "providers"),
                PackAssurance(1, "Elective Recovery Board Papers"),
                PackAssurance(1, "Ongoing monitoring and oversight via Elective Leadership "
                                 "Group, Elective Collaboration Board and Cancer Board"),
            ),
            actions=(
                _action("System wide transformation plan to increase productivity using GIRFT "
                        "data", "Michael Ramsden", date(2024, 3, 28), "In Progress"),
                _action("Delivery of national and local recovery priorities, monitored through "
                        "the Elective Collaboration Board and Leadership Group",
                        "Michael Ramsden", date(2024, 3, 29), "In Progress"),
                _action("Protecting Electives through winter resilience", "Francesca Cummings",
                        date(2023, 11, 15), "Not Started"),
            ),
            movement=_movement([16, 16, 20, 20, 20, 20, 20, 20]),
        ),
        PackRisk(
            ref="BAF0006", title="Financial Sustainability & Underlying Financial Health",
            description="As a result of increased inflation, significant operational pressures, "
            "patient backlogs and the enduring financial implications of the Covid pandemic - "
            "there is a risk to the underlying financial sustainability of BLMK that could result "
            "in failure to deliver statutory financial duties.",
            owner="Dean Westcott", lead="Stephen Makin", status="Open",
            initial=Score(5, 4), current=Score(5, 4), target=Score(4, 3),
            controls=(
                PackControl("Monthly financial reporting to Finance & Investment Committee and "
                            "Integrated Care Board - includes analysis of financial performance: "
                            "revenue, capital, underlying financial performance plus risks & "
                            "mitigations."),
                PackControl("Update and development of system Medium Term Financial Plan for "
                            "2023/24 to 26/27. Includes scenario modelling of key variables and "
                            "downsides."),
            ),
            assurances=(),
            actions=(
                _action("Development and implementation of system transformation, improvement "
                        "and efficiency programme covering 2023/24+ across and between ICS "
                        "partners", "Anne Brierley", date(2023, 7, 31), "In Progress"),
            ),
            movement=_movement([15, 15, 20, 20, 20, 20, 20, 20]),
        ),
        PackRisk(
            ref="BAF0010", title="Partnership working",
            description="There is a risk that the development of the ICS's public position on an "
            "issue is inconsistent with the public position of one or more partner member, "
            "resulting in a lack of clarity for the public and stakeholders",
            owner="Maria Wogan", lead="Dominic Woodward-Lebihan", status="Open",
            initial=Score(3, 4), current=Score(3, 3), target=Score(3, 2),
            controls=tuple(PackControl(c) for c in (
                "Place link directors have a coordinating role at Place and lead on place "
                "relationship management for the ICB.",
                "Decision Planner gives partners notice of forthcoming decisions",
                "Engagement Planner enables system wide coordination of engagement activity",
                "Chair and CEO quarterly session with local leaders",
                "Board seminar programme",
                "Working with Communities Strategy",
            )),
            assurances=(),
            actions=(
                _action("Better promotion for joint local initiatives",
                        "Dominic Woodward-Lebihan", date(2024, 3, 29), "In Progress"),
                _action("Prepare a briefing for the Deputies (op group) on the changed political "
                        "landscape and what this means in terms of OSC/HWB attendance and "
                        "handling", "Dominic Woodward-Lebihan", date(2024, 2, 29),
                        "Not Started"),
                _action("Establishment of Place Teams as part of implementation of the Target "
                        "Operating Model", "Martha Roberts", date(2024, 2, 29), "In Progress"),
            ),
            movement=_movement([None, None, 9, 9, 9, 9, 9, 9]),
        ),
        PackRisk(
            ref="BAF0011", title="Health literacy - Denny Review",
            description="As a result of challenges with health literacy and understanding of "
            "health services as identified in the Denny Review, there is a risk that members of "
            "minority, disadvantaged and seldom-heard communities in BLMK are not able to "
            "properly access or navigate between health and care services, potentially leading "
            "to an exacerbation of health inequalities, increasing a sense of fragmentation "
            "between services, and resulting in adverse health outcomes.",
            owner="Maria Wogan", lead="Dominic Woodward-Lebihan", status="Open",
            initial=Score(4, 4), current=Score(4, 4), target=Score(4, 2),
            controls=tuple(PackControl(c) for c in (
                "Inequalities senior leadership group is in place",
                "Working with people and communities strategy",
                "Embedding of co-production into ICB processes and operations",
            )),
            assurances=(PackAssurance(1, "Managed via the winter campaign"),),
            actions=(
                _action("Publication of ICB's response to Denny Review setting out the ICB's "
                        "response to the issues the Review raises.", "Michelle Summers",
                        date(2023, 12, 29), "In Progress"),
                _action('Co-production of "What Matters to Me" digital page to hold key '
                        "information about residents across health and care",
                        "Dominic Woodward-Lebihan", date(2024, 11, 29), "Not Started"),
                _action("Accessible communications produced and campaign to explain how to "
                        "access health / care services", "Dominic Woodward-Lebihan",
                        date(2024, 6, 28), "Not Started"),
            ),
            # November was not reviewed: October's score carried forward.
            movement=_movement([None, None, None, None, None, None, 16, 16], not_reviewed=(7,)),
        ),
    )


def _pack(risks: tuple[PackRisk, ...], **overrides) -> BafPack:
    fields = dict(
        organisation="NHS Bedfordshire, Luton and Milton Keynes Integrated Care Board",
        register_name="System Risk Register (BAF)",
        generated_at=datetime(2023, 11, 29, 11, 47, tzinfo=LONDON),
        filters={"Project": "LIVE - Risk", "Risk Area": "ICB Board Assurance Framework"},
        fy_label="23/24", month_labels=MONTHS, bands=BLMK_BANDS, risks=risks,
        author="Corporate Governance Team",
    )
    fields.update(overrides)
    return BafPack(**fields)


LONG_WORD = "x" * 150 + "Y" * 150  # 300 characters without a space
HOSTILE = (
    "<b>bold</b>",
    '<img src="http://evil.example/x.png"/>',
    "<img src=http://evil.example/y.png>",
    '<a href="http://evil.example/">click me</a>',
    "<link href='http://evil.example/'>link</link>",
    "Fish &amp; chips & <i>peas</i> &nbsp; &#60;",
    "<font size=40 color=red>shout</font>",
    "]]></para><para>",
)


def _hostile_risks(n: int = 40) -> tuple[PackRisk, ...]:
    """A register whose text tries every trick; most risks crowd one heatmap cell."""
    risks = []
    for i in range(1, n + 1):
        hostile = HOSTILE[i % len(HOSTILE)]
        description = f"Risk {i} {hostile} continues."
        if i == 1:
            description = ("A 5,000-character description. " + "Lorem ipsum dolor sit amet "
                           * 200)[:5000] + " END-OF-LONG-DESCRIPTION"
        if i == 2:
            description = f"Starts {LONG_WORD} ends"
        crowded = i % 4 != 0  # 30 risks at 4:5
        risks.append(PackRisk(
            ref={n: "R&D<40>", n - 1: "LONG-REF-" + "7" * 80}.get(i, f"HX{i:04d}"),
            title=f"Hostile {i}: {hostile}\x00\x07\u202e",
            description=description,
            owner={2: LONG_WORD, 3: None}.get(i, f"Owner {i} <script>alert(1)</script>"),
            lead=None if i == 3 else "Zoë Łukasz O'Brien",
            status="Open",
            initial=Score(5, 5),
            current=Score(4, 5) if crowded else Score(1 + i % 5, 1 + (i // 5) % 5),
            target=None if i == 3 else Score(2, 2),
            controls=() if i == 3 else (
                PackControl(f"Control {i}: {hostile}", owner="<u>owner</u>",
                            effectiveness="Effective & tested"),
                PackControl(LONG_WORD if i == 2 else f"Second control {i}\nwith a new line"),
            ),
            assurances=() if i == 3 else (
                PackAssurance(1 + i % 3, f"Assurance {i}: {hostile}", positive=i % 2 == 0),
                PackAssurance(4, "Odd line number", positive=None),
            ),
            actions=() if i == 3 else (
                PackAction(f"Action {i}: {hostile}", LONG_WORD if i == 2 else f"Assignee <{i}>",
                           date(2023, 1, 1), "In Progress", overdue=True),
                PackAction(f"Second action {i} & more", None, None, "Not Started", overdue=False),
            ),
            movement=() if i == 3 else _movement([20, 20, 16, 16, 16, 16, 16, 16],
                                                  not_reviewed=(3, 4)),
        ))
    return tuple(risks)


# --- Fixtures: rendering and reading back --------------------------------------------------------

def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: apt-get install -y poppler-utils")
    return path


def _run(*args: str) -> str:
    return subprocess.run([_tool(args[0]), *args[1:]], capture_output=True, check=True
                          ).stdout.decode("utf-8")


class Rendered:
    """A rendered pack and what poppler reads from it."""

    def __init__(self, pack: BafPack, path: Path) -> None:
        buffer = io.BytesIO()
        render_baf_pack(pack, buffer)
        self.pack = pack
        self.data = buffer.getvalue()
        path.write_bytes(self.data)
        self.path = path
        #: Text in drawing order: every cell's lines come together.
        self.text = _run("pdftotext", "-raw", "-enc", "UTF-8", str(path), "-")
        self.info = dict(line.split(":", 1) for line in
                         _run("pdfinfo", "-enc", "UTF-8", str(path)).splitlines() if ":" in line)
        self.info = {k.strip(): v.strip() for k, v in self.info.items()}
        movement_at = self.text.index(MOVEMENT_TITLE)
        detail_at = self.text.index(DETAIL_TITLE)
        self.header_and_heatmaps = self.text[:movement_at]
        self.movement = self.text[movement_at:detail_at]
        self.detail = self.text[detail_at:]

    @property
    def pages(self) -> int:
        return int(self.info["Pages"])


@pytest.fixture(scope="module")
def blmk(tmp_path_factory) -> Rendered:
    return Rendered(_pack(_blmk_risks()), tmp_path_factory.mktemp("baf") / "blmk.pdf")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Rendered:
    pack = _pack(_hostile_risks(), organisation="Trust <b>&amp;</b> Partners",
                 register_name="Corporate <i>Register</i>",
                 filters={"Committee": "<a href='http://evil.example/'>Audit</a>",
                          "Owner": "A & B"},
                 author="Risk <team> & co")
    return Rendered(pack, tmp_path_factory.mktemp("baf") / "hostile.pdf")


def _flat(text: str) -> str:
    """Text with all whitespace removed: cells wrap lines anywhere."""
    return re.sub(r"\s+", "", text)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- The data classes --------------------------------------------------------------------------

def test_scores_are_consequence_first_and_banded():
    assert Score(4, 5).score == 20
    assert format_priority(Score(4, 5), BLMK_BANDS) == "High (4:5=20)"
    assert format_priority(Score(3, 2), BLMK_BANDS) == "Medium (3:2=6)"
    assert band_for(3, BLMK_BANDS).name == "Low"
    assert band_for(30, BLMK_BANDS) is None
    with pytest.raises(ValueError):
        Score(0, 5)
    with pytest.raises(ValueError):
        Score(4, 6)


def test_pack_refuses_a_naive_time_and_a_movement_of_the_wrong_length():
    risk = _blmk_risks()[0]
    with pytest.raises(ValueError, match="timezone"):
        _pack((risk,), generated_at=datetime(2023, 11, 29, 11, 47))
    with pytest.raises(ValueError, match="movement"):
        _pack((replace(risk, movement=risk.movement[:11]),))
    # Lists are frozen into tuples.
    assert isinstance(replace(risk, controls=[PackControl("c")]).controls, tuple)


# --- The source's contents, in the source's order ------------------------------------------------

def test_header_heatmaps_movement_then_detail_in_the_source_order(blmk):
    text = blmk.text
    order = ["System Risk Register (BAF)", "HEATMAP REPORT",
             "NHS Bedfordshire, Luton and Milton Keynes Integrated Care Board",
             "Generated date", "29 Nov 2023 11:47 GMT", "Project: LIVE - Risk",
             "Risk Area: ICB Board Assurance Framework",
             "Current position", "Initial position", "Target position",
             MOVEMENT_TITLE, DETAIL_TITLE, "High \u2014 current score 10\u201325",
             "Medium \u2014 current score 4\u20139"]
    positions = [text.index(s) for s in order]
    assert positions == sorted(positions)


@pytest.mark.parametrize("which", ["blmk", "hostile"])
def test_every_reference_is_in_the_heatmaps_the_movement_and_the_detail(which, request):
    rendered = request.getfixturevalue(which)
    # A reference too long for its column wraps: compare with the line breaks taken out.
    for risk in rendered.pack.risks:
        assert _flat(risk.ref) in _flat(rendered.header_and_heatmaps), risk.ref
        assert _flat(risk.ref) in _flat(rendered.movement), risk.ref
        assert _flat(risk.ref) in _flat(rendered.detail), risk.ref


@pytest.mark.parametrize("which", ["blmk", "hostile"])
def test_every_action_is_in_the_detail(which, request):
    rendered = request.getfixturevalue(which)
    detail = _flat(rendered.detail)
    actions = [a for r in rendered.pack.risks for a in r.actions]
    assert actions
    for action in actions:
        assert _flat(action.detail) in detail, action.detail


def test_detail_has_the_source_columns_and_priorities(blmk):
    detail = _squash(blmk.detail)
    for heading in ("Prefix", "Risk Detail", "Initial Priority", "Controls Detail",
                    "Controls Assurance Level Line of Assurance", "Controls Assurance Summary",
                    "Current Priority", "Actions Action Details", "Target Priority"):
        assert heading in detail, heading
    for written in ("High (4:5=20)", "High (5:4=20)", "High (3:4=12)", "Medium (3:3=9)",
                    "Medium (3:2=6)", "Medium (4:2=8)"):
        assert written in detail, written
    # The source's labels, as board members know them.
    assert "Risk Title: Recovery of Elective Services" in detail
    assert "Risk Description: There is a risk that the NHS" in detail
    assert "Risk Owner: Anne Brierley" in detail and "Risk Lead: Michael Ramsden" in detail
    assert "Status: Open" in detail and "1st line" in detail
    # Overdue actions are flagged in words, not colour alone.
    assert "Variable Target: 15 Nov 2023 \u00b7 Status: Not Started \u00b7 OVERDUE" in detail
    assert "Variable Target: 28 Mar 2024 \u00b7 Status: In Progress" in detail
    # Highest band first; within it the register's reference order, as the source.
    assert detail.index("High \u2014") < detail.index("Medium \u2014")
    high = detail[detail.index("High \u2014"):detail.index("Medium \u2014")]
    refs = re.findall(r"\bBAF\d{4}\b", high)
    assert list(dict.fromkeys(refs)) == sorted(set(refs))


def test_heatmap_cells_name_their_score_and_band_and_have_a_legend(blmk):
    heatmaps = _squash(blmk.header_and_heatmaps)
    for cell in ("20 High", "16 High", "12 High", "9 Medium", "4 Medium", "3 Low", "1 Low"):
        assert cell in heatmaps, cell
    assert "Consequence" in heatmaps and "Likelihood" in heatmaps
    assert "High score 10\u201325" in heatmaps and "Low score 1\u20133" in heatmaps
    assert "Current position (4 risks)" in heatmaps


def test_movement_table_has_a_column_per_month_blanks_and_carried_forward_scores(blmk):
    movement = _squash(blmk.movement)
    assert " ".join(MONTHS) in movement
    # Blank before the risk existed and after the report date; scores in month order.
    assert "BAF0010 Partnership working 9 9 9 9 9 9 BAF0011" in movement
    assert "BAF0001 Recovery of Elective Services 16 16 20 20 20 20 20 20 BAF0006" in movement
    # November of BAF0011 was not reviewed: marked, and explained in the legend.
    assert "BAF0011 Health literacy - Denny Review 16 16\u2020" in movement
    assert "not reviewed that month, the last score carried forward" in movement


# --- Print and file furniture --------------------------------------------------------------------

@pytest.mark.parametrize("which", ["blmk", "hostile"])
def test_page_x_of_y_on_every_page(which, request):
    rendered = request.getfixturevalue(which)
    pages = rendered.pages
    assert pages >= 3
    for page in range(1, pages + 1):
        assert f"Page {page} of {pages}" in rendered.text


def test_metadata_title_and_author(blmk, hostile):
    assert blmk.info["Title"].startswith("System Risk Register (BAF) \u2014 Heatmap report")
    assert blmk.info["Author"] == "Corporate Governance Team"
    assert hostile.info["Author"] == "Risk <team> & co"
    assert "Corporate <i>Register</i>" in hostile.info["Title"]


def test_landscape_a4_with_embedded_truetype_fonts(blmk):
    assert blmk.info["Page size"].startswith("841.89 x 595.276 pts (A4)")
    fonts = _run("pdffonts", str(blmk.path)).splitlines()[2:]
    assert fonts
    for line in fonts:
        assert "TrueType" in line and " yes " in line, line  # embedded (and subset)


def test_table_headers_repeat_on_every_detail_page(hostile):
    pages = hostile.text.split("\f")
    detail_pages = [p for p in pages[1:] if "Controls Assurance" in p or "continued" in p]
    assert len(detail_pages) >= 3
    for page in detail_pages:
        assert "Initial" in page and "Target" in page and "Controls Detail" in page


# --- Hostile text ----------------------------------------------------------------------------

def test_markup_in_user_text_is_printed_literally(hostile):
    text = _flat(hostile.text)
    for literal in HOSTILE + ("<script>alert(1)</script>", "Trust<b>&amp;</b>Partners",
                              "Corporate<i>Register</i>", "Assignee<7>", "R&D<40>",
                              "<u>owner</u>", "Effective&tested", "Zoë"):
        assert _flat(literal) in text, literal
    assert "Committee: <a href='http://evil.example/'>Audit</a>" in hostile.text


def test_no_link_or_image_is_made_from_user_text(hostile):
    data = hostile.data
    for marker in (b"/Annot", b"/URI", b"/Link", b"/XObject", b"/JavaScript", b"/Launch"):
        assert marker not in data, marker
    assert not re.search(rb"/Subtype\s*/Image", data)
    listing = _run("pdfimages", "-list", str(hostile.path)).splitlines()
    assert len(listing) == 2, listing  # the two header lines, no image


def test_long_words_and_long_text_wrap_inside_the_page(hostile):
    text = _flat(hostile.text)
    assert text.count(LONG_WORD) >= 4  # description, control, owner, assignee: never cut
    assert "A5,000-characterdescription.Loremipsum" in text
    assert "END-OF-LONG-DESCRIPTION" in text
    # Every word drawn lies inside the page margins (10 mm at the sides).
    bbox = _run("pdftotext", "-bbox", str(hostile.path), "-")

    class Words(HTMLParser):
        boxes: list[tuple[float, float]] = []

        def handle_starttag(self, tag, attrs):
            if tag == "word":
                a = dict(attrs)
                self.boxes.append((float(a["xmin"]), float(a["xmax"])))

    parser = Words()
    parser.feed(bbox)
    assert len(parser.boxes) > 1000
    left, right = 28.3, 841.89 - 28.3
    outside = [b for b in parser.boxes if b[0] < left - 0.5 or b[1] > right + 0.5]
    assert not outside, outside[:5]


def test_crowded_heatmap_cells_count_the_rest_and_list_them_all(hostile):
    heatmaps = _squash(hostile.header_and_heatmaps)
    assert re.search(r"\+\d+ more \*", heatmaps)
    assert "Positions with more risks than fit in the heatmap cell" in heatmaps
    assert "Current High (4:5=20) 30" in heatmaps


def test_missing_values_say_so(hostile):
    detail = _squash(hostile.detail)
    assert "Risk Owner: not set" in detail and "Risk Lead: not set" in detail
    assert "None recorded" in detail and "Not set" in detail
    assert "Assignee: not assigned" in detail and "Variable Target: not set" in detail
    assert "Line 4" in detail and "(NEGATIVE)" in detail and "(positive)" in detail


def test_an_empty_selection_still_renders(tmp_path):
    rendered = Rendered(_pack((), filters={}), tmp_path / "empty.pdf")
    assert "No risks match the filters." in rendered.text
    assert "None: every risk on the register" in rendered.text
    assert f"Page 1 of {rendered.pages}" in rendered.text


def test_absurdly_long_header_text_flows_onto_the_next_page(tmp_path):
    words = " ".join(f"word{i}" for i in range(600))
    rendered = Rendered(_pack(_blmk_risks()[:1], organisation="Trust " + words,
                              filters={"Criteria": words, "More": words}),
                        tmp_path / "long-header.pdf")
    assert "word599" in rendered.header_and_heatmaps
    assert f"Page 1 of {rendered.pages}" in rendered.text


def test_generated_time_is_shown_in_london_time(tmp_path):
    summer = datetime(2023, 7, 3, 8, 5, tzinfo=timezone.utc)  # 09:05 BST
    rendered = Rendered(_pack(_blmk_risks()[:1], generated_at=summer), tmp_path / "bst.pdf")
    assert "03 Jul 2023 09:05 BST" in rendered.text
