"""Secrets and untrusted engines, through the command line: an API key never shows up
in output, error messages or any file of the workspace, and whatever an engine answers
(markup, the key itself, numbers, bytes, garbage) cannot corrupt a catalog or add
markup to a page."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from libre_server import LibreServer
from lxml import html as lxml_html
from workspace_kit import (
    all_catalogs,
    article,
    catalog,
    entry_for,
    libre_config,
    make_workspace,
    msgfmt_ok,
    run,
)

from l10n.model import placeholder_problems, tokenize

SECRET = "sk-TopSecret/Key+42=="
# Every spelling the key could take on its way out (as is, URL-quoted, in a form).
FORMS = (SECRET, "sk-TopSecret%2FKey%2B42%3D%3D", "sk-TopSecret%2FKey+42", "TopSecret")

PAGE = article("The city council votes", 'Read <a href="/r">the report</a> here.',
               "The vote was close.")


@pytest.fixture
def libre():
    with LibreServer(api_key=SECRET) as server:
        yield server


def workspace(tmp_path: Path, url: str, **options: object) -> Path:
    return make_workspace(tmp_path / "ws", {"news": PAGE}, engine="libre",
                          extra=libre_config(url, **options))


def assert_no_secret_anywhere(root: Path, *outputs: str) -> None:
    for text in outputs:
        for form in FORMS:
            assert form not in text, text
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for form in FORMS:
                assert form.encode() not in data, path


def test_a_key_set_for_a_whole_run_ends_up_in_no_file(tmp_path: Path, libre) -> None:
    root = workspace(tmp_path, libre.url)
    env = {"LIBRE_API_KEY": SECRET}
    outputs = []
    for args in (("translate",), ("review", "approve", "--lang", "de", "--by", "Rita"),
                 ("approve", "news", "--lang", "de", "--by", "Rita"), ("merge",),
                 ("sync",)):
        result = run(root, *args, env=env)
        assert result.exit_code == 0, result.output
        outputs += [result.stdout, result.stderr]
    assert libre.keys_seen and set(libre.keys_seen) == {SECRET}  # it was really used
    assert_no_secret_anywhere(root, *outputs)


def test_an_unreachable_service_is_reported_without_the_key(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = workspace(tmp_path, f"http://127.0.0.1:{port}/", retries=1)
    result = run(root, "translate", env={"LIBRE_API_KEY": SECRET})
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cannot reach the service" in errors[0], result.stderr
    assert "Traceback" not in result.output
    assert_no_secret_anywhere(root, result.stdout, result.stderr)


def test_an_error_body_that_echoes_the_key_is_not_shown(tmp_path: Path, libre) -> None:
    root = workspace(tmp_path, libre.url, retries=1)
    libre.default = "echo-key-500"
    result = run(root, "translate", env={"LIBRE_API_KEY": SECRET})
    assert result.exit_code == 1
    assert "failed 2 times; last: HTTP 500" in result.stderr
    assert_no_secret_anywhere(root, result.stdout, result.stderr)


def test_an_answer_that_echoes_the_key_never_reaches_a_catalog(tmp_path: Path, libre) -> None:
    root = workspace(tmp_path, libre.url)
    libre.default = "echo-key"
    result = run(root, "translate", env={"LIBRE_API_KEY": SECRET})
    assert result.exit_code == 0, result.output
    entry = entry_for(catalog(root, "de", "news"), "The vote")
    assert entry.msgstr == "[de] die vote was close. (key: ***)"
    assert_no_secret_anywhere(root, result.stdout, result.stderr)


def test_markup_in_answers_stays_text(tmp_path: Path, libre) -> None:
    root = workspace(tmp_path, libre.url)
    libre.default = "html"
    result = run(root, "translate", env={"LIBRE_API_KEY": SECRET})
    assert result.exit_code == 0, result.output
    po = catalog(root, "de", "news")
    vote = entry_for(po, "The vote")
    # Every character of the answer is text in the catalog: the made-up placeholder
    # is escaped, the rest is not markup to l10n, just text.
    assert [t.kind for t in tokenize(vote.msgstr)] == ["text"]
    assert tokenize(vote.msgstr)[0].value.startswith(
        '<script>alert(1)</script><img src=x onerror="alert(2)">')
    assert "&lt;a1>made up&lt;/a1>" in vote.msgstr
    # The link's draft keeps exactly its own placeholder among the noise.
    link = entry_for(po, "Read")
    assert [t.value for t in tokenize(link.msgstr) if t.kind != "text"] == ["a1", "a1"]
    assert placeholder_problems(link.msgid, link.msgstr) == []
    for path in all_catalogs(root):
        assert msgfmt_ok(path) == "", path
    built = run(root, "merge", "--drafts")
    assert built.exit_code == 0, built.output
    page = lxml_html.fromstring((root / "build/de/news.html").read_bytes())
    source = lxml_html.fromstring(PAGE.encode())
    assert not page.xpath("//script | //img | //*[@onerror]")
    assert [a.get("href") for a in page.xpath("//a")] == [
        a.get("href") for a in source.xpath("//a")]
    assert "<script>alert(1)</script>" in page.text_content()  # shown, not run


@pytest.mark.parametrize(("action", "reason"), [
    ("not-text", "no translation in the answer"),
    ("malformed", "malformed answer"),
    ("long", "implausibly long answer"),
    ("empty", "empty answer"),
])
def test_useless_answers_leave_entries_empty(tmp_path: Path, libre, action: str,
                                             reason: str) -> None:
    root = workspace(tmp_path, libre.url, retries=0)
    libre.default = action
    result = run(root, "translate", env={"LIBRE_API_KEY": SECRET})
    assert result.exit_code == 1  # entries failed; nothing else went wrong
    assert "Traceback" not in result.output
    po = catalog(root, "de", "news")
    assert all(e.msgstr == "" and not e.flags for e in po)
    assert reason in result.stderr
    for path in all_catalogs(root):
        assert msgfmt_ok(path) == "", path


def test_binary_answers_are_cleaned_into_text(tmp_path: Path, libre) -> None:
    root = workspace(tmp_path, libre.url)
    libre.default = "binary"
    result = run(root, "translate", env={"LIBRE_API_KEY": SECRET})
    assert result.exit_code == 0, result.output
    vote = entry_for(catalog(root, "de", "news"), "The vote")
    assert vote.msgstr.endswith("[de] die vote was close.")
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in vote.msgstr)
    for path in all_catalogs(root):
        assert msgfmt_ok(path) == "", path
    assert run(root, "merge", "--drafts").exit_code == 0
