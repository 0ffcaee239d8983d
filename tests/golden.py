"""Golden-file helpers: compare with an expected file, or rewrite it when asked.

Set L10N_UPDATE_GOLDEN=1 to rewrite the expected files; review the diff before committing.
"""

from __future__ import annotations

import os
from pathlib import Path


def check_golden(actual: str, expected_file: Path) -> None:
    if os.environ.get("L10N_UPDATE_GOLDEN") == "1":
        expected_file.write_text(actual, encoding="utf-8")
        return
    assert expected_file.exists(), f"missing golden file {expected_file}"
    expected = expected_file.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {expected_file.name}"
