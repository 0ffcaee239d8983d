"""Bad input: one line naming the file (and line), a non-zero exit, no traceback,
and no file changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, snapshot, write_config


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "l10n", "-C", str(root), *args],
                          capture_output=True, text=True, env=env, timeout=60)


@pytest.fixture
def ready(tmp_path: Path) -> Path:
    """A workspace after extract and update, with one human translation."""
    root = tmp_path / "ws"
    (root / "source").mkdir(parents=True)
    write_config(root, ["en"])
    (root / "source" / "good.html").write_text(
        '<html lang="de"><body><p>Guter Text.</p></body></html>', encoding="utf-8")
    assert run(root, "extract").returncode == 0
    assert run(root, "update").returncode == 0
    po = root / "locales/en/LC_MESSAGES/good.po"
    po.write_text(po.read_text(encoding="utf-8").replace(
        'msgid "Guter Text."\nmsgstr ""', 'msgid "Guter Text."\nmsgstr "Good text."'),
        encoding="utf-8")
    assert run(root, "merge").returncode == 0
    return root


def assert_clean_failure(proc: subprocess.CompletedProcess[str], *fragments: str,
                         code: int = 1) -> None:
    assert proc.returncode == code, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


BAD_HTML = {
    "nul-bytes": (b"<html><body><p>Text\x00\x01\x02</p></body></html>",
                  "source/bad.html:1: binary data"),
    "invalid-utf8": (b'<meta charset="utf-8">\n<p>ok</p>\n<p>\xff\xfe bad</p>',
                     "source/bad.html:3: declared UTF-8"),
    "empty": (b"  \n ", "source/bad.html: empty document"),
    "unknown-charset": (b'<meta charset="x-klingon">\n<p>\xe4</p>',
                        "source/bad.html: unknown charset"),
}


@pytest.mark.parametrize("case", sorted(BAD_HTML))
@pytest.mark.parametrize("command", ["extract", "merge", "sync"])
def test_bad_html_is_one_line_error_and_nothing_changes(ready: Path, case: str,
                                                        command: str) -> None:
    data, message = BAD_HTML[case]
    (ready / "source" / "bad.html").write_bytes(data)
    before = snapshot(ready)
    proc = run(ready, command)
    assert_clean_failure(proc, message)
    assert snapshot(ready) == before


def test_malformed_po_reports_file_and_line(ready: Path) -> None:
    po = ready / "locales/en/LC_MESSAGES/good.po"
    text = po.read_text(encoding="utf-8")
    broken = text.replace('msgstr "Good text."', 'msgstr "Good "text."')
    po.write_text(broken, encoding="utf-8")
    line = broken.splitlines().index('msgstr "Good "text."') + 1
    before = snapshot(ready)
    for command in ("update", "merge"):
        proc = run(ready, command)
        assert_clean_failure(proc, f"locales/en/LC_MESSAGES/good.po:{line}:")
        assert snapshot(ready) == before


@pytest.mark.parametrize(("mangle", "fragment"), [
    (lambda t: t + '\nmsgid "Guter Text."\nmsgstr "dup"\n', "duplicate entry"),
    (lambda t: t + "\nnonsense here\n", "syntax error"),
    (lambda t: t + '\nmsgstr "orphan"\n', "msgstr without msgid"),
    (lambda t: t.replace("nplurals=2; plural=(n != 1);", "nplurals=two; plural=n;"),
     "invalid Plural-Forms"),
])
def test_po_problems_are_reported_not_ignored(ready: Path, mangle, fragment: str) -> None:
    po = ready / "locales/en/LC_MESSAGES/good.po"
    po.write_text(mangle(po.read_text(encoding="utf-8")), encoding="utf-8")
    before = snapshot(ready)
    proc = run(ready, "update")
    assert_clean_failure(proc, "locales/en/LC_MESSAGES/good.po:", fragment)
    assert snapshot(ready) == before


def test_po_that_is_not_utf8_is_reported_with_line(ready: Path) -> None:
    po = ready / "locales/en/LC_MESSAGES/good.po"
    po.write_bytes(po.read_bytes().replace(b"Good text.", b"Gr\xfc\xdfe"))
    proc = run(ready, "merge")
    assert_clean_failure(proc, "locales/en/LC_MESSAGES/good.po:", "not valid UTF-8")


def test_missing_article(ready: Path) -> None:
    proc = run(ready, "extract", "--article", "nope")
    assert_clean_failure(proc, "source/nope.html: no such article")


def test_unknown_locale_code(ready: Path) -> None:
    before = snapshot(ready)
    proc = run(ready, "update", "--lang", "xx")
    assert_clean_failure(proc, "unknown locale code 'xx'", code=2)
    assert snapshot(ready) == before


def test_unknown_locale_in_config(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "source").mkdir(parents=True)
    write_config(root, ["en", "qq-ZZ"])
    proc = run(root, "extract")
    assert_clean_failure(proc, "l10n.toml", "unknown locale code 'qq-ZZ'", code=2)


def test_invalid_config(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "l10n.toml").write_text("languages = [\n", encoding="utf-8")
    proc = run(root, "extract")
    assert_clean_failure(proc, "l10n.toml", "invalid TOML", code=2)


def test_not_a_workspace(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "l10n", "extract"], cwd=tmp_path,
                          capture_output=True, text=True, env=env)
    assert_clean_failure(proc, "no l10n workspace", code=2)


def test_missing_template_for_update(ready: Path) -> None:
    proc = run(ready, "update", "--article", "other")
    assert_clean_failure(proc, "locales/templates/other.pot", "run 'l10n extract' first")


def test_nesting_deeper_than_the_parser_can_hold_is_an_error(ready: Path) -> None:
    (ready / "source" / "deep.html").write_text(
        "<html><body>\n" + "<div>" * 3000 + "<p>Ganz tief</p>" + "</div>" * 3000
        + "</body></html>", encoding="utf-8")
    before = snapshot(ready)
    proc = run(ready, "extract")
    assert_clean_failure(proc, "source/deep.html:2: elements nested too deeply")
    assert snapshot(ready) == before


def test_deep_but_parsable_nesting_is_handled(ready: Path) -> None:
    (ready / "source" / "deep.html").write_text(
        "<html><body>" + "<div>" * 1500 + "<p>Ganz tief</p>" + "</div>" * 1500
        + "<p>" + "<span>x " * 1500 + "tief</p></body></html>", encoding="utf-8")
    proc = run(ready, "extract")
    assert proc.returncode == 0, proc.stderr
    pot = (ready / "locales/templates/deep.pot").read_text(encoding="utf-8")
    assert 'msgid "Ganz tief"' in pot


@pytest.mark.parametrize(("setting", "fragment"), [
    ('url_template = "{nope}/x.html"', "url_template '{nope}/x.html' is not a template"),
    ('engine = "nope"', "unknown engine 'nope'"),
])
def test_bad_settings_stop_sync_before_anything_is_written(tmp_path: Path, setting: str,
                                                            fragment: str) -> None:
    root = tmp_path / "ws"
    (root / "source").mkdir(parents=True)
    write_config(root, ["en"], extra=setting + "\n")
    (root / "source" / "a.html").write_text("<p>Guten Tag</p>", encoding="utf-8")
    before = snapshot(root)
    proc = run(root, "sync")
    assert_clean_failure(proc, "l10n.toml", fragment, code=2)
    assert snapshot(root) == before
