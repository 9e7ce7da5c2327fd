"""Business rules stay plain Python: no Flask, no SQLAlchemy, so they are tested alone."""
import ast
from pathlib import Path

import pytest

RULES = sorted((Path(__file__).parents[2] / "riskapp" / "rules").glob("*.py"))
FORBIDDEN = ("flask", "sqlalchemy", "flask_sqlalchemy", "flask_login", "wtforms")


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.name)
def test_no_framework_imports(path):
    tree = ast.parse(path.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert not imported & set(FORBIDDEN), f"{path.name} imports {imported & set(FORBIDDEN)}"


def test_rules_exist():
    assert {"scoring.py", "actions.py"} <= {p.name for p in RULES}
