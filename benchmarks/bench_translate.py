"""Benchmark `l10n translate`: segments per second and engine requests per segment.

The sample workspace (source/, three articles) is scaled up with copies whose text
varies (a part number added to two paragraphs in three, a numbered title), so some
segments repeat across articles and most do not, as in a real newsroom. The real
deep-translator LibreTranslator talks to the loopback LibreTranslate server of the
tests (tests/libre_server.py); the pseudo engine runs for comparison.

    PYTHONPATH=$PWD python benchmarks/bench_translate.py [--copies 20]

Prints a markdown table and writes benchmarks/results/translate.json. Not a test.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from libre_server import LibreServer  # noqa: E402

from l10n.config import load_config  # noqa: E402
from l10n.pipeline import extract, update  # noqa: E402
from l10n.translate import translate  # noqa: E402

LANGUAGES = ["en", "de", "fr", "ja"]


def vary(html: str, copy: int) -> str:
    """A copy of an article whose text differs from the original in most segments."""
    if copy == 0:
        return html
    html = re.sub(r"</title>", f" ({copy})</title>", html, count=1)
    html = re.sub(r"</h1>", f" ({copy})</h1>", html, count=1)
    counter = iter(range(10_000))

    def mark(m: re.Match[str]) -> str:
        i = next(counter)
        return f" (Teil {copy}.{i})</p>" if (i + copy) % 3 else m.group(0)

    return re.sub(r"</p>", mark, html)


def build_workspace(folder: Path, copies: int, engine_table: str) -> Path:
    (folder / "source").mkdir(parents=True)
    for src in sorted((ROOT / "source").glob("*.html")):
        html = src.read_text(encoding="utf-8")
        for copy in range(copies):
            name = src.stem if copy == 0 else f"{src.stem}-{copy}"
            (folder / "source" / f"{name}.html").write_text(vary(html, copy), encoding="utf-8")
    langs = ", ".join(f'"{x}"' for x in LANGUAGES)
    (folder / "l10n.toml").write_text(
        f'source_language = "en"\nlanguages = [{langs}]\nengine = "libre"\n{engine_table}',
        encoding="utf-8")
    cfg = load_config(folder)
    extract(cfg)
    update(cfg)
    return folder


def measure(folder: Path, engine: str, server: LibreServer | None) -> dict[str, object]:
    cfg = load_config(folder)
    if server is not None:
        server.reset_counts()
    start = time.perf_counter()
    summary = translate(cfg, engine=engine)
    seconds = time.perf_counter() - start
    segments = summary.drafted + summary.failed
    return {
        "engine": engine,
        "segments": segments,
        "drafted": summary.drafted,
        "failed": summary.failed,
        "requests": summary.requests,
        "server_requests": server.translate_requests if server is not None else None,
        "seconds": round(seconds, 3),
        "segments_per_second": round(segments / seconds, 1) if seconds else None,
        "requests_per_segment": round(summary.requests / segments, 3) if segments else 0.0,
        "catalogs_written": len(summary.files),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=20,
                        help="copies of each sample article (default 20)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "translate.json")
    args = parser.parse_args()

    rows: list[dict[str, object]] = []
    work = Path(tempfile.mkdtemp(prefix="l10n-bench-translate-"))
    try:
        with LibreServer(languages=tuple(LANGUAGES)) as server:
            table = f'[engines.libre]\nurl = "{server.url}"\nbatch_size = 20\n'
            libre_ws = build_workspace(work / "libre", args.copies, table)
            first = measure(libre_ws, "libre", server)
            first["run"] = "first run"
            rows.append(first)
            again = measure(libre_ws, "libre", server)
            again["run"] = "second run (nothing to do)"
            rows.append(again)
        pseudo_ws = build_workspace(work / "pseudo", args.copies, "")
        pseudo = measure(pseudo_ws, "pseudo", None)
        pseudo["run"] = "first run"
        rows.append(pseudo)
        articles = len(list((work / "libre" / "source").glob("*.html")))
        catalogs = len(list((work / "libre" / "locales").glob("*/LC_MESSAGES/*.po")))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"translate: {articles} articles ({args.copies} copies of 3), {catalogs} catalogs,"
          f" languages {', '.join(LANGUAGES)}\n")
    print("| engine | run | segments | requests | requests/segment | seconds | segments/s |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['engine']} | {r['run']} | {r['segments']} | {r['requests']} |"
              f" {r['requests_per_segment']} | {r['seconds']} | {r['segments_per_second']} |")
    result = {
        "benchmark": "translate",
        "copies": args.copies,
        "articles": articles,
        "catalogs": catalogs,
        "languages": LANGUAGES,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    shown = args.out.relative_to(Path.cwd()) if args.out.is_relative_to(Path.cwd()) else args.out
    print(f"\nwrote {shown}")


if __name__ == "__main__":
    main()
