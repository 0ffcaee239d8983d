"""The benchmark command runs end to end in its quick mode (no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


# By default the workspaces go to a memory file system where there is one with room;
# --on-disk keeps them under --work.
@pytest.mark.parametrize("where", [[], ["--on-disk"]], ids=["default", "on-disk"])
def test_quick_benchmark_writes_the_expected_report(tmp_path: Path, where: list[str]
                                                    ) -> None:
    out = tmp_path / "latest.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick", *where,
         "--work", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {"command", "machine", "parameters", "workspace", "steps", "full_run_s", "rerun",
            "update_after_edits", "speedup", "memory", "comparison", "targets",
            "table"} <= set(report)
    assert set(report["steps"]) == {"extract", "update", "merge"}
    for step in report["steps"].values():
        assert {"seconds", "cpu_seconds", "articles_per_s", "mb_per_s", "peak_rss_mb",
                "peak_rss_mb_small"} <= set(step)
    assert report["parameters"]["articles"] == 60 and report["parameters"]["locales"] == 2
    assert {"nproc", "cpu", "python"} <= set(report["machine"])
    assert {"translate_toolkit_s", "lxml_parse_serialize_s", "l10n_library_jobs_1_s",
            "pages"} <= set(report["comparison"])
    assert report["comparison"]["pages"] > 0
    # Where the workspaces were is said; built in memory, they are removed afterwards.
    on, folder = report["workspace"]["on"], Path(report["workspace"]["folder"])
    assert on in (["disk"] if where else ["memory", "disk"])
    assert ("memory file system" if on == "memory" else "on disk") in report["table"]
    if on == "memory":
        assert not folder.exists()
    else:
        assert folder == tmp_path / "work" and (folder / "full" / "source").is_dir()
    assert [t["name"].split(" ")[0] for t in report["targets"]] == [
        "extract", "extract", "re-run", "--jobs", "peak"]
    # The re-run found every article up to date and wrote nothing.
    for step in ("extract", "update", "merge"):
        rerun = report["rerun"][step]
        assert rerun["written"] == 0 and rerun["up_to_date"] == rerun["unchanged"] > 0
    # The table printed is the one saved.
    assert report["table"] in proc.stdout
    assert "| target | l10n | reference | ratio | target | met |" in report["table"]
