"""The l10n benchmark: throughput, memory and re-run cost of extract, update and merge,
against translate-toolkit's html2po/po2html and a bare lxml parse-and-serialize.

    python benchmarks/run.py [--articles 1000] [--locales 5] [--jobs N] [--quick]

It builds workspaces from the real pages of ../shared/corpus/
(and the sample articles in source/) plus generated variants of them, runs the steps
as `python -m l10n` subprocesses (so that each step's peak memory can be read), prints
a markdown table and writes benchmarks/results/latest.json. The workspaces are built
on a memory file system instead where one has room for them (--on-disk: always under
--work). Benchmarks are not tests: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the l10n of this checkout, not an installed one

import corpus  # noqa: E402  (benchmarks/ is on the path when this file is run)

# Thresholds of the targets.
TARGET_TOOLKIT = 10.0  # extract + merge at least 10x faster than html2po + po2html
TARGET_FLOOR = 3.0  # extract within 3x a bare lxml parse-and-serialize
TARGET_RERUN = 0.05  # a re-run with nothing changed costs at most 5% of a full run
TARGET_SPEEDUP = 0.85  # "near-linear": at least 85% of the ideal speed-up
TARGET_MEMORY = 1.25  # "flat": peak memory grows by less than a quarter
STEPS = ("extract", "update", "merge")
# Pages are built with --drafts: the benchmark's stand-in translations are not
# approved by anyone, and the work of a draft build is the same.
MERGE_ARGS = ("merge", "--drafts")


@dataclass
class Run:
    """One `python -m l10n` command: wall time, peak memory, what it reported."""

    seconds: float
    cpu_seconds: float  # user + system, the command and its worker processes
    peak_rss_mb: float
    output: str

    def counts(self) -> dict[str, int]:
        m = re.search(r"(\d+) written, (\d+) unchanged(?: \((\d+) up to date)?", self.output)
        if not m:
            return {}
        return {"written": int(m[1]), "unchanged": int(m[2]), "up_to_date": int(m[3] or 0)}

    def as_json(self) -> dict[str, Any]:
        return {"seconds": round(self.seconds, 3), "cpu_seconds": round(self.cpu_seconds, 3),
                "peak_rss_mb": round(self.peak_rss_mb, 1), **self.counts()}


def run_cli(workspace: Path, args: tuple[str, ...], jobs: int) -> Run:
    """Run one l10n command in a subprocess; its own peak RSS (with its workers') comes
    from wait4, so each command is measured alone."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    cmd = [sys.executable, "-m", "l10n", "-C", str(workspace), *args, "--jobs", str(jobs)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # stopped: the command must not go on writing
            proc.kill()
            proc.wait()
            raise
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errors = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"benchmark: {' '.join(cmd)} failed ({proc.returncode}):\n{errors}")
    # The last lines of stdout are the summary; "wrote ..." lines are not kept.
    summary = "\n".join(line for line in text.splitlines()
                        if not line.startswith(("wrote ", "built ")))
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, summary)


def pipeline(workspace: Path, jobs: int, rerun: bool = False) -> dict[str, Run]:
    """A full run from a fresh checkout: extract, update, (translators fill the
    catalogs), update again, merge; then, if asked, every step again with nothing
    changed."""
    corpus.reset_workspace(workspace)
    runs = {"extract": run_cli(workspace, ("extract",), jobs),
            "update": run_cli(workspace, ("update",), jobs)}
    corpus.translate_workspace(workspace, jobs)
    runs["update_after_edits"] = run_cli(workspace, ("update",), jobs)
    runs["merge"] = run_cli(workspace, MERGE_ARGS, jobs)
    if rerun:
        for step, args in zip(STEPS, (("extract",), ("update",), MERGE_ARGS), strict=True):
            runs[f"rerun_{step}"] = run_cli(workspace, args, jobs)
    return runs


def best_of(repeat: int, measure: Callable[[], dict[str, float]]) -> dict[str, float]:
    """The fastest of ``repeat`` measurements, key by key: on a shared machine the
    minimum is the figure least disturbed by other processes."""
    best: dict[str, float] = {}
    for _ in range(repeat):
        for key, value in measure().items():
            best[key] = min(value, best.get(key, value))
    return best


def memory_folder(need: int) -> Path | None:
    """A new folder on a memory file system (tmpfs at /dev/shm) with room for ``need``
    bytes and as much RAM to spare; None where there is none. The caller removes it."""
    shm = Path("/dev/shm")
    try:
        mounts = Path("/proc/mounts").read_text().split("\n")
        if not any(line.split()[1:3] == [str(shm), "tmpfs"] for line in mounts):
            return None
        room = os.statvfs(shm)
        meminfo = Path("/proc/meminfo").read_text()
    except OSError:
        return None
    spare = re.search(r"^MemAvailable:\s+(\d+) kB", meminfo, re.M)
    if (room.f_bavail * room.f_frsize < need
            or spare is None or int(spare[1]) * 1024 < 2 * need
            or _cgroup_spare() < 2 * need):
        return None
    return Path(tempfile.mkdtemp(prefix="l10n-bench-", dir=shm))


def _cgroup_spare(cgroup: Path = Path("/proc/self/cgroup"),
                  root: Path = Path("/sys/fs/cgroup")) -> float:
    """The memory this process's control group may still use (files on tmpfs count
    against it): the least that any group from its own up to the root allows;
    infinite when none has a limit or none can be read."""
    try:
        lines = cgroup.read_text().splitlines()
    except OSError:
        return float("inf")
    spare = float("inf")
    for line in lines:
        _, controllers, group = line.split(":", 2)
        if controllers == "":  # cgroup v2: one tree, limits on any level
            base, names = root, ("memory.max", "memory.current")
        elif "memory" in controllers.split(","):  # v1: the memory controller's tree
            base, names = root / "memory", ("memory.limit_in_bytes", "memory.usage_in_bytes")
        else:
            continue
        # A container sees its own group mounted as the root of the tree: a group
        # path that is not there is looked for from the root.
        folder = base / group.lstrip("/")
        levels = [folder, *folder.parents] if folder.is_dir() else [base]
        for level in levels:
            if not level.is_relative_to(base):
                break
            try:
                limit = (level / names[0]).read_text().strip()
                used = int((level / names[1]).read_text())
            except (OSError, ValueError):
                continue
            if limit != "max":
                spare = min(spare, int(limit) - used)
    return spare


def measure_toolkit(pages: list[Path]) -> tuple[dict[str, float], list[Path], dict[str, str]]:
    """translate-toolkit on each page: html2po, then po2html with every unit translated.
    Returns the timings, the pages it handled and why the others failed."""
    from translate.convert import html2po, po2html
    from translate.storage import po as tt_po

    times = {"html2po": 0.0, "po2html": 0.0}
    handled, failed = [], {}
    for page in pages:
        data = page.read_bytes()
        try:
            t0 = time.process_time()
            pot = corpus.bytes_io(b"", page.stem + ".po")
            html2po.converthtml(corpus.bytes_io(data, page.name), pot, None)
            t1 = time.process_time()
            store = tt_po.pofile(corpus.bytes_io(pot.getvalue(), page.stem + ".po"))
            for unit in store.units:
                if not unit.isheader() and unit.source:
                    unit.target = corpus.pseudo_translate_markup(unit.source)
            po = corpus.bytes_io(b"", page.stem + ".po")
            store.serialize(po)
            t2 = time.process_time()
            html = corpus.bytes_io(b"", page.name)
            po2html.converthtml(corpus.bytes_io(po.getvalue(), page.stem + ".po"), html,
                                corpus.bytes_io(data, page.name))
            t3 = time.process_time()
        except Exception as exc:  # the toolkit's own errors: the page is left out
            failed[page.stem] = f"{type(exc).__name__}: {exc}"[:120]
            continue
        times["html2po"] += t1 - t0
        times["po2html"] += t3 - t2
        handled.append(page)
    return times, handled, failed


def measure_lxml(pages: list[Path]) -> dict[str, float]:
    """The floor: read, parse and serialize each page with lxml, nothing else."""
    from lxml import etree

    parser = etree.HTMLParser(huge_tree=True)
    start = time.process_time()
    for page in pages:
        root = etree.fromstring(page.read_bytes(), parser)
        etree.tostring(root.getroottree(), method="html")
    return {"lxml": time.process_time() - start}


def measure_library(workspace: Path) -> dict[str, float]:
    """Our steps through the library, in this process, one job: like for like with
    translate-toolkit, which runs in this process on one core too. CPU time, as for
    the toolkit and lxml: other processes on the machine do not count."""
    from l10n.config import load_config
    from l10n.merge import merge
    from l10n.pipeline import extract, update

    corpus.reset_workspace(workspace)
    cfg = load_config(workspace)
    t0 = time.process_time()
    extract(cfg, jobs=1)
    t1 = time.process_time()
    update(cfg, jobs=1)
    t2 = time.process_time()
    corpus.translate_workspace(workspace, 1)
    t3 = time.process_time()
    results = merge(cfg, drafts=True, jobs=1)
    t4 = time.process_time()
    localized = sum(1 for r in results if "original" not in r.counts and not r.skipped)
    return {"extract": t1 - t0, "update": t2 - t1, "merge": t4 - t3,
            "localized_pages": localized, "originals": len(results) - localized}


def machine_info() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for dist in ("lxml", "polib", "babel", "translate-toolkit"):
        try:
            from importlib.metadata import version

            versions[dist] = version(dist)
        except Exception:  # not installed: reported as such
            versions[dist] = None
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "platform": platform.platform(), "versions": versions,
            "load_average_start": [round(x, 2) for x in os.getloadavg()]}


def _mb(n: float) -> float:
    return n / 1e6


def _fmt(x: float, digits: int = 2) -> str:
    return f"{x:,.{digits}f}"


def build_report(params: dict[str, Any], machine: dict[str, Any], sizes: dict[str, Any],
                 full: dict[str, Run], small_one: dict[str, Run], small_jobs: dict[str, Run],
                 library: dict[str, float], toolkit: dict[str, float], floor: dict[str, float],
                 handled: list[Path], failed: dict[str, str],
                 full_totals: dict[int, list[float]]) -> dict[str, Any]:
    n, mb = params["articles"], _mb(sizes["full_bytes"])
    steps = {}
    for step in STEPS:
        run = full[step]
        steps[step] = {**run.as_json(), "articles_per_s": round(n / run.seconds, 1),
                       "mb_per_s": round(mb / run.seconds, 2),
                       "peak_rss_mb_small": round(small_jobs[step].peak_rss_mb, 1)}
    full_s = sum(full[s].seconds for s in STEPS)
    rerun_s = sum(full[f"rerun_{s}"].seconds for s in STEPS)
    one_s = sum(small_one[s].seconds for s in STEPS)
    jobs_s = sum(small_jobs[s].seconds for s in STEPS)
    pages = len(handled)
    ours_ms = 1000 * (library["extract"] / pages + library["merge"] / library["localized_pages"])
    theirs_ms = 1000 * (toolkit["html2po"] + toolkit["po2html"]) / pages
    peak_small = max(small_jobs[s].peak_rss_mb for s in STEPS)
    peak_full = max(full[s].peak_rss_mb for s in STEPS)
    jobs = params["jobs"]
    # --jobs is judged with all the articles, alternated (see main); a quick run has
    # only the small runs.
    full_size = _full_size(full_totals, n, jobs)
    if full_size is not None:
        speedup_n, speedup_one, speedup_jobs = n, *full_size["best_s"]
    else:
        speedup_n, speedup_one, speedup_jobs = params["small"], one_s, jobs_s
    targets = [
        {"name": "extract + merge vs html2po + po2html", "ours": round(ours_ms, 2),
         "reference": round(theirs_ms, 2), "unit": "ms per page and locale",
         "ratio": round(theirs_ms / ours_ms, 2), "target": f">= {TARGET_TOOLKIT:g}x faster",
         "met": theirs_ms / ours_ms >= TARGET_TOOLKIT},
        {"name": "extract vs bare lxml parse + serialize", "ours": round(library["extract"], 3),
         "reference": round(floor["lxml"], 3), "unit": "s",
         "ratio": round(library["extract"] / floor["lxml"], 2),
         "target": f"<= {TARGET_FLOOR:g}x the floor",
         "met": library["extract"] / floor["lxml"] <= TARGET_FLOOR},
        {"name": "re-run with nothing changed vs full run", "ours": round(rerun_s, 2),
         "reference": round(full_s, 2), "unit": "s", "ratio": round(rerun_s / full_s, 4),
         "target": f"<= {TARGET_RERUN:.0%}", "met": rerun_s / full_s <= TARGET_RERUN},
        {"name": f"--jobs {jobs} vs --jobs 1 ({speedup_n} articles)",
         "ours": round(speedup_jobs, 2), "reference": round(speedup_one, 2), "unit": "s",
         "ratio": round(speedup_one / speedup_jobs, 2),
         "target": f">= {TARGET_SPEEDUP * jobs:g}x (near-linear)",
         "met": jobs > 1 and speedup_one / speedup_jobs >= TARGET_SPEEDUP * jobs},
        {"name": f"peak memory, {n} vs {params['small']} articles", "ours": round(peak_full, 1),
         "reference": round(peak_small, 1), "unit": "MB",
         "ratio": round(peak_full / peak_small, 2), "target": f"<= {TARGET_MEMORY:g}x (flat)",
         "met": peak_full / peak_small <= TARGET_MEMORY},
    ]
    return {
        "command": "python benchmarks/run.py " + " ".join(params["argv"]),
        "machine": machine,
        "parameters": {k: v for k, v in params.items() if k != "argv"},
        "workspace": sizes,
        "steps": steps,
        "full_run_s": round(full_s, 3),
        "rerun": {"seconds": round(rerun_s, 3),
                  **{s: full[f"rerun_{s}"].as_json() for s in STEPS}},
        "update_after_edits": full["update_after_edits"].as_json(),
        "speedup": {"articles": params["small"], "jobs": jobs,
                    "full_size": full_size,
                    "jobs_1": {s: small_one[s].as_json() for s in STEPS},
                    f"jobs_{jobs}": {s: small_jobs[s].as_json() for s in STEPS},
                    "total_jobs_1_s": round(one_s, 3), f"total_jobs_{jobs}_s": round(jobs_s, 3),
                    "ratio": round(one_s / jobs_s, 2)},
        "memory": {"small_peak_rss_mb": round(peak_small, 1),
                   "full_peak_rss_mb": round(peak_full, 1),
                   "jobs_1_peak_rss_mb": round(max(small_one[s].peak_rss_mb for s in STEPS), 1)},
        "comparison": {
            "pages": pages, "page_mb": round(_mb(sum(p.stat().st_size for p in handled)), 2),
            "left_out": failed, "repeat": params["repeat"],
            "l10n_library_jobs_1_s": {k: round(v, 3) for k, v in library.items()},
            "translate_toolkit_s": {k: round(v, 3) for k, v in toolkit.items()},
            "lxml_parse_serialize_s": round(floor["lxml"], 3),
        },
        "targets": targets,
    }


def _full_size(full_totals: dict[int, list[float]], articles: int, jobs: int
               ) -> dict[str, Any] | None:
    """The alternated full-size runs: each setting's times, the best of each (one job,
    then ``jobs``) and their ratio; None when there were none (a quick run, one job)."""
    if 1 not in full_totals:
        return None
    one, many = min(full_totals[1]), min(full_totals[jobs])
    return {"articles": articles,
            "runs_s": {str(k): [round(x, 3) for x in v] for k, v in full_totals.items()},
            "best_s": [round(one, 3), round(many, 3)], "ratio": round(one / many, 2)}


# Measured on the benchmark's machine (docs/benchmarks.md), not in each run.
_START_UP = "about 0.13 s per command here"


def _speedup_note(report: dict[str, Any]) -> str:
    p, sp = report["parameters"], report["speedup"]
    jobs = p["jobs"]
    small = (f"with the first {sp['articles']} articles (alternated, best of {p['repeat']}):"
             f" {_fmt(sp[f'total_jobs_{jobs}_s'])} s vs {_fmt(sp['total_jobs_1_s'])} s,"
             f" {sp['ratio']:g}x")
    if not sp.get("full_size"):
        return (f"--jobs {jobs} vs --jobs 1: fresh runs of all three steps {small}; each"
                f" command's start-up (the interpreter and imports, {_START_UP}) is"
                " included and is the same with any number of jobs.")
    return (f"--jobs {jobs} vs --jobs 1: fresh runs of all three steps with all"
            f" {p['articles']} articles after the first full run, alternated (1, {jobs}, 1,"
            f" {jobs}), the best of two each. For information, " + small + ": there each"
            f" command's start-up (the interpreter and imports, {_START_UP}, a fifth of such"
            " a run) is the same with any number of jobs.")


# Where the workspaces were.
_WORKSPACE_ON = {
    "memory": "on a memory file system (tmpfs): the toolkit converts in memory, and on some"
              " disks creating a file costs more than converting a page",
    "disk": "on disk (--on-disk, or no memory file system with room for them)",
}


def render_markdown(report: dict[str, Any]) -> str:
    p, w, m = report["parameters"], report["workspace"], report["machine"]
    lines = [
        f"Workspace: {p['articles']} articles ({_fmt(_mb(w['full_bytes']), 1)} MB of HTML:"
        f" {w['real_pages']} real pages, the rest generated variants), {p['locales']} locales"
        f" ({w['localized_pages']} localized pages); --jobs {p['jobs']}; workspaces"
        f" {_WORKSPACE_ON[w['on']]}.",
        "",
        "| step | time (s) | CPU (s) | articles/s | MB/s of HTML | peak RSS (MB),"
        f" {p['small']} articles | peak RSS (MB), {p['articles']} articles |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for step, s in report["steps"].items():
        lines.append(f"| {step} | {_fmt(s['seconds'])} | {_fmt(s['cpu_seconds'])} |"
                     f" {_fmt(s['articles_per_s'], 1)} | {_fmt(s['mb_per_s'])} |"
                     f" {_fmt(s['peak_rss_mb_small'], 0)} | {_fmt(s['peak_rss_mb'], 0)} |")
    rr = report["rerun"]
    edits = report["update_after_edits"]
    full_cpu = sum(s["cpu_seconds"] for s in report["steps"].values())
    rerun_cpu = sum(rr[s]["cpu_seconds"] for s in STEPS)
    lines += [
        f"| full run (extract + update + merge) | {_fmt(report['full_run_s'])} |"
        f" {_fmt(full_cpu)} | | | | |",
        f"| re-run, nothing changed | {_fmt(rr['seconds'])} | {_fmt(rerun_cpu)} | | | | |",
        f"| update after translators edited every catalog | {_fmt(edits['seconds'])} |"
        f" {_fmt(edits['cpu_seconds'])} | | | | |",
        "",
        "| target | l10n | reference | ratio | target | met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for t in report["targets"]:
        ratio = f"{t['ratio']:.1%}" if t["target"].endswith("%") else f"{t['ratio']:g}x"
        lines.append(f"| {t['name']} | {t['ours']:g} {t['unit']} | {t['reference']:g}"
                     f" {t['unit']} | {ratio} | {t['target']} | {'yes' if t['met'] else 'no'} |")
    c = report["comparison"]
    left_out = ", ".join(sorted(c["left_out"])) or "none"
    lines += [
        "",
        f"translate-toolkit and lxml were measured on the first {p['small']} articles, less"
        f" the pages html2po or po2html failed on ({left_out}): {c['pages']} pages,"
        f" {_fmt(c['page_mb'], 1)} MB; l10n on the same pages through its library, in the"
        f" same process, one job; the three measured in turn, {c['repeat']} rounds, the best"
        " of each, all in CPU time. Per page and locale:"
        " l10n = extract"
        " + merge (the original page included) / localized pages; translate-toolkit ="
        " html2po + po2html.",
        "",
        _speedup_note(report),
        "",
        f"Machine: {m['nproc']} cores, {m['cpu']}, Python {m['python']}; load average"
        f" {m['load_average_start'][0]} at the start, {m['load_average_end'][0]} at the end"
        " (other processes share the machine).",
    ]
    return "\n".join(lines)


def compare(workspace: Path, articles: list[corpus.Article], locales: list[str],
            params: dict[str, Any], first_pass: dict[str, float], pages: list[Path]
            ) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """translate-toolkit, lxml and l10n's library on the same pages: the toolkit's and
    lxml's times, and l10n's (its workspace built at ``workspace`` first)."""
    corpus.build_workspace(workspace, articles, locales, params["jobs"])
    print("l10n in process...", file=sys.stderr)
    # Each round measures all three, one after the other, and the best of each counts:
    # a load that comes and goes on a shared machine then weighs on all of them alike,
    # rather than on whichever happened to be measured at that time. (The first round's
    # toolkit figures are those of the pass made just before.)
    rounds: list[dict[str, float]] = []

    def one_round() -> dict[str, float]:
        toolkit_times = first_pass if not rounds else measure_toolkit(pages)[0]
        rounds.append(toolkit_times)
        return {**toolkit_times, **measure_lxml(pages), **measure_library(workspace)}

    fastest = best_of(params["repeat"], one_round)
    toolkit = {k: fastest[k] for k in ("html2po", "po2html")}
    floor = {"lxml": fastest["lxml"]}
    library = {k: v for k, v in fastest.items() if k not in (*toolkit, *floor)}
    return toolkit, floor, library


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, help="articles in the big run (default 1000)")
    parser.add_argument("--locales", type=int, help="target locales (default 5)")
    parser.add_argument("--small", type=int,
                        help="articles in the small run: memory, the comparison with"
                        " translate-toolkit and lxml, and --jobs for information (default 100)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="l10n --jobs for the runs (default: the number of cores)")
    parser.add_argument("--repeat", type=int,
                        help="rounds of the in-process comparison and of the alternated"
                        " small --jobs runs; the best counts (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke test: 60 small articles, 2 locales, well under a minute")
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus",
                        help="folder of real pages (default ../shared/corpus)")
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / "work",
                        help="where the workspaces are built when they are on disk (default"
                        " benchmarks/work)")
    parser.add_argument("--on-disk", action="store_true",
                        help="build the workspaces under --work even where a memory file"
                        " system has room for them (by default they go there: on some disks"
                        " creating a file costs more than converting a page; see"
                        " docs/benchmarks.md)")
    parser.add_argument("--out", type=Path,
                        default=REPO / "benchmarks" / "results" / "latest.json",
                        help="the JSON results (default benchmarks/results/latest.json)")
    args = parser.parse_args(argv)
    quick = args.quick
    params: dict[str, Any] = {
        "articles": args.articles or (60 if quick else 1000),
        "locales": args.locales or (2 if quick else 5),
        "jobs": max(1, args.jobs),
        "repeat": args.repeat or (1 if quick else 3),
        "quick": quick,
        "argv": sys.argv[1:] if argv is None else argv,
    }
    params["small"] = min(args.small or (20 if quick else 100), params["articles"])
    machine = machine_info()
    started = time.perf_counter()
    # l10n's bytecode, compiled as installing the package compiles it: a checkout run
    # with PYTHONDONTWRITEBYTECODE set would compile every module again in each command.
    compileall.compile_dir(REPO / "l10n", quiet=1)

    # Quick runs use the smaller real pages only, to stay well under a minute.
    bases = corpus.base_pages(args.corpus, REPO / "source", 150_000 if quick else None)
    articles = corpus.plan_articles(bases, params["articles"])
    # A workspace with its templates, catalogs and pages takes about 1.5 + 1.3 x locales
    # times its pages' size (asked for with some margin); the small and the comparison
    # workspaces hold the first articles again.
    html = sum(a.base.stat().st_size for a in articles)
    html += 2 * sum(a.base.stat().st_size for a in articles[: params["small"]])
    memory = None if args.on_disk else memory_folder(int(html * (2 + 1.5 * params["locales"])))
    # A stopped benchmark must not leave its workspaces in memory.
    main_pid = os.getpid()

    def stop(signum: int, _frame: object) -> None:
        # Worker processes forked for building the workspaces inherit this handler:
        # they just end.
        if os.getpid() != main_pid:
            os._exit(128 + signum)
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        report = run_benchmark(params, machine, articles, memory or args.work,
                               "disk" if memory is None else "memory")
    finally:
        if memory is not None:
            shutil.rmtree(memory, ignore_errors=True)
    report["benchmark_seconds"] = round(time.perf_counter() - started, 1)
    report["table"] = render_markdown(report)
    print(report["table"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print(f"\nwrote {args.out} ({report['benchmark_seconds']} s)", file=sys.stderr)
    return 0


def run_benchmark(params: dict[str, Any], machine: dict[str, Any],
                  articles: list[corpus.Article], work: Path, where: str) -> dict[str, Any]:
    """Build the workspaces under ``work`` (on ``where``: "memory" or "disk"), measure,
    and return the report (without its table)."""
    locales = corpus.LOCALES[: params["locales"]]
    full_ws, small_ws, compare_ws = (work / x for x in ("full", "small", "compare"))
    jobs = params["jobs"]
    print(f"building {params['articles']} articles on {where}...", file=sys.stderr)
    full_bytes = corpus.build_workspace(full_ws, articles, locales, jobs)
    small_articles = articles[: params["small"]]
    corpus.build_workspace(small_ws, small_articles, locales, jobs)

    print("translate-toolkit and lxml...", file=sys.stderr)
    small_pages = [small_ws / "source" / f"{a.slug}.html" for a in small_articles]
    # The first pass also finds the pages the toolkit cannot convert.
    first_pass, handled, failed = measure_toolkit(small_pages)
    handled_slugs = {p.stem for p in handled}
    toolkit, floor, library = compare(compare_ws, [a for a in small_articles
                                                   if a.slug in handled_slugs],
                                      locales, params, first_pass, handled)

    print(f"l10n, {params['small']} articles, --jobs 1 and --jobs {jobs}...", file=sys.stderr)
    # Alternated and repeated, best of each: other processes on a shared machine come
    # and go, and should not decide which setting looks faster.
    small_one: dict[str, Run] = {}
    small_jobs: dict[str, Run] = {}
    for _ in range(params["repeat"] if jobs > 1 else 1):
        for best, n in ((small_one, 1), (small_jobs, jobs)):
            for step, run in pipeline(small_ws, n).items():
                if step not in best or run.seconds < best[step].seconds:
                    best[step] = run
    print(f"l10n, {params['articles']} articles, --jobs {jobs}...", file=sys.stderr)
    full = pipeline(full_ws, jobs, rerun=True)
    # --jobs is judged here, where start-up is 1-2.5 % of a run (a fifth of the small
    # runs above): four more fresh runs, alternated, best of two each. The run above is
    # left out: it alone starts in a workspace that has never been run, and on some
    # disks creating files right after deleting thousands costs more (see
    # docs/benchmarks.md).
    full_totals: dict[int, list[float]] = {}
    if jobs > 1 and not params["quick"]:
        for n in (1, jobs, 1, jobs):
            print(f"l10n, {params['articles']} articles, --jobs {n}...", file=sys.stderr)
            runs = pipeline(full_ws, n)
            full_totals.setdefault(n, []).append(sum(runs[s].seconds for s in STEPS))

    machine["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    sizes = {"on": where, "folder": str(work), "full_bytes": full_bytes,
             "real_pages": sum(1 for a in articles if a.variant == 0),
             "localized_pages": len(list((full_ws / "locales").glob("*/LC_MESSAGES/*.po")))}
    return build_report(params, machine, sizes, full, small_one, small_jobs, library,
                        toolkit, floor, handled, failed, full_totals)


if __name__ == "__main__":
    raise SystemExit(main())
