"""`flask report baf`: the BAF pack PDF from the command line, read back as text."""
import json
from pathlib import Path

from riskapp.demo.loader import DATA

from .helpers import pdf_text, squash


def _sections(text: str) -> tuple[str, str, str]:
    """Split the pack's text into heatmaps, movement table and detail table."""
    movement_at = text.index("Risk Movement Over Time")
    detail_at = text.index("Risk detail by band")
    return text[:movement_at], text[movement_at:detail_at], text[detail_at:]


def test_baf_pack_of_the_demo_has_every_reference_and_action(baf, runner, tmp_path):
    out = tmp_path / "packs" / "baf.pdf"
    result = runner.invoke(args=["report", "baf", "--register", "BAF", "--out", str(out),
                                 "--as-of", "2023-11-29", "--fy", "2023"])
    assert result.exit_code == 0, result.output
    assert "11 risks, 26 actions" in result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert not out.with_name("baf.pdf.part").exists()
    text = pdf_text(data, tmp_path)
    heatmaps, movement, detail = _sections(text)
    source = json.loads((Path(DATA) / "blmk_baf_2023.json").read_text())
    for risk in source["risks"]:
        # Whole, on one line: a reference wrapped as "BAF000 / 1" is unreadable in print.
        assert risk["ref"] in heatmaps, risk["ref"]
        assert risk["ref"] in movement, risk["ref"]
        assert risk["ref"] in detail, risk["ref"]
    flat_detail = squash(detail)
    details = [a["detail"] for r in source["risks"] for a in r["actions"]]
    assert len(details) == 26
    for action in details:
        # Long cells wrap; compare with whitespace collapsed, on the first 60 characters.
        assert squash(action)[:60] in flat_detail, action
    assert "Board Assurance Framework" in text and "Page 1 of" in text
    assert "Apr-23" in movement and "Mar-24" in movement


def test_committee_option_narrows_the_pack(baf, runner, tmp_path):
    out = tmp_path / "pccac.pdf"
    result = runner.invoke(args=["report", "baf", "--register", "baf", "--out", str(out),
                                 "--committee", "Primary Care Commissioning and Assurance "
                                 "Committee", "--as-of", "2023-11-29"])
    assert result.exit_code == 0, result.output
    assert "1 risks" in result.output
    text = pdf_text(out.read_bytes(), tmp_path)
    _, movement, detail = _sections(text)
    assert "BAF0008" in detail and "BAF0001" not in detail
    assert "BAF0008" in movement and "BAF0001" not in movement


def test_unknown_register_or_committee_is_refused_and_writes_nothing(baf, runner, tmp_path):
    out = tmp_path / "x.pdf"
    result = runner.invoke(args=["report", "baf", "--register", "NOPE", "--out", str(out)])
    assert result.exit_code != 0 and "no register 'NOPE'" in result.output
    assert "BAF" in result.output  # the known registers are listed
    result = runner.invoke(args=["report", "baf", "--register", "BAF", "--out", str(out),
                                 "--committee", "Nope committee"])
    assert result.exit_code != 0 and "no committee" in result.output
    result = runner.invoke(args=["report", "baf", "--register", "BAF", "--out", str(out),
                                 "--as-of", "29/11/2023"])
    assert result.exit_code != 0
    assert not out.exists()
