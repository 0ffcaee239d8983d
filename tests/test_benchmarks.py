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


def _files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


@pytest.mark.parametrize(("cgroup", "files", "spare"), [
    # cgroup v2: a limit on a parent group counts, "max" means none.
    ("0::/a/b\n", {"a/memory.max": "1000\n", "a/memory.current": "400\n",
                   "a/b/memory.max": "max\n", "a/b/memory.current": "100\n"}, 600),
    # v1 in a container: its own group is the root of the mounted tree.
    ("5:cpu:/docker/x\n4:memory:/docker/x\n",
     {"memory/memory.limit_in_bytes": "5000\n", "memory/memory.usage_in_bytes": "1000\n"},
     4000),
    ("0::/\n", {"memory.max": "max\n", "memory.current": "7\n"}, float("inf")),
    ("0::/\n", {}, float("inf")),
], ids=["v2-parent-limit", "v1-container", "v2-no-limit", "unreadable"])
def test_memory_a_cgroup_leaves_for_workspaces_in_memory(
        tmp_path: Path, cgroup: str, files: dict[str, str], spare: float) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import run  # benchmarks/run.py
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    (tmp_path / "cgroup").write_text(cgroup)
    _files(tmp_path / "sys", files)
    assert run._cgroup_spare(tmp_path / "cgroup", tmp_path / "sys") == spare
