"""The importer on real documents it was not written from (../shared/notices/dev), scored with
the shared scorer: the mean task F1 may not drop below the level reached.

`make score-import` prints each document's figures.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from directives.importer import parse_notice

SHARED = Path(__file__).resolve().parents[3] / "shared"
DEV = SHARED / "notices" / "dev"
SCORER = SHARED / "tools" / "score_import.py"
# The level reached on the development set (all 13 documents read without a miss); the
# held-out set is what says whether the rules carry over (docs/domain.md §1).
MEAN_F1_FLOOR = 0.95

pytestmark = pytest.mark.django_db


def scorer() -> ModuleType:
    assert SCORER.exists(), f"the shared scorer is expected at {SCORER}"
    spec = importlib.util.spec_from_file_location("score_import", SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def documents() -> list[Path]:
    return sorted(DEV.glob("*.txt"))


def read(path: Path) -> str:
    """The document as published: the '#' lines above it describe it and are not read."""
    return "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                     if not line.startswith("# "))  # fmt: skip


def test_the_development_set_is_read_without_refusal_and_scored() -> None:
    score = scorer().score
    rows: dict[str, dict[str, Any]] = {}
    for path in documents():
        notice = parse_notice(read(path))  # never raises for a text
        gold = json.loads(path.with_suffix("").with_suffix(".expected.json").read_text())
        rows[path.stem] = score(gold, notice.as_json())
    assert len(rows) == 13
    mean = sum(row["f1"] for row in rows.values()) / len(rows)
    if os.environ.get("DONDOC_PRINT_SCORES"):
        for name, row in rows.items():
            print(name, json.dumps(row, ensure_ascii=False))
        print(f"mean task F1 {mean:.3f}")
    assert mean >= MEAN_F1_FLOOR, rows
    leads = [row["lead"] for row in rows.values() if row["gold"]]
    assert sum(leads) / len(leads) >= 0.9, rows
