"""The bad-input corpus: every case is handled, or fails with one line naming the file
(and line), a documented exit code (docs/errors.md), no traceback, and no file changed.

Articles live in tests/badinput/; what is too big or too odd to commit (deep nesting,
binary garbage, a very large article, broken catalogs of the test workspace) is made
here. Each case sets up a copy of one ready workspace, runs one command and checks.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner
from conftest import REPO, snapshot
from workspace_kit import article, msgfmt_ok

from l10n.cli import main
from l10n.engines.pseudo import pseudo_localize

BADINPUT = Path(__file__).resolve().parent / "badinput"
PO = "locales/de/LC_MESSAGES/news.po"
POT = "locales/templates/news.pot"
HUMAN = "Regen ist angesagt (von Hand)."
BIG_MB = float(os.environ.get("L10N_BIG_ARTICLE_MB", "12"))
SLOW = os.environ.get("L10N_SLOW_TESTS") == "1"


@pytest.fixture(scope="module")
def ready(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace where everything has happened once: drafts, a review, a human
    translation, an approved version, built pages."""
    root = tmp_path_factory.mktemp("bad") / "ready"
    (root / "source").mkdir(parents=True)
    (root / "l10n.toml").write_text(
        'source_language = "en"\nlanguages = ["de", "ar"]\nengine = "pseudo"\n',
        encoding="utf-8")
    (root / "source" / "news.html").write_text(article(
        "The city", 'Read <a href="/r">the report</a>.', "Rain is expected."),
        encoding="utf-8")
    for args in (["extract"], ["update"], ["translate"],
                 ["review", "approve", "--lang", "de", "--by", "Rita"]):
        assert cli(root, *args).exit_code == 0
    po = polib.pofile(str(root / PO))
    rain = next(e for e in po if e.msgid == "Rain is expected.")
    rain.msgstr = HUMAN
    po.save(str(root / PO))
    for args in (["approve", "news", "--lang", "de", "--by", "Rita"], ["merge"]):
        assert cli(root, *args).exit_code == 0
    return root


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(root), *args])


# ------------------------------------------------------------------- the cases


@dataclass
class Case:
    name: str
    # Changes the workspace; returns where the error is ("file" or "file:line"), or
    # None when the input is to be handled.
    setup: Callable[[Path], str | None]
    args: tuple[str, ...]
    code: int = 1  # the exit code: 0 handled, 1 bad input, 2 configuration
    says: str = ""  # in the error line (or, for a handled case, in a warning)
    check: Callable[[Path], None] | None = None  # what else a handled case must do
    prefix: str = "error"  # review decisions report "refused: FILE:LINE [ID]: why"


def article_file(name: str, where: str | None = "source/bad.html") -> Callable[[Path], str | None]:
    def setup(root: Path) -> str | None:
        shutil.copy(BADINPUT / name, root / "source" / "bad.html")
        return where

    return setup


def article_bytes(make: Callable[[], bytes], where: str | None = "source/bad.html"
                  ) -> Callable[[Path], str | None]:
    def setup(root: Path) -> str | None:
        (root / "source" / "bad.html").write_bytes(make())
        return where

    return setup


def catalog_text(mangle: Callable[[str], str], at: str | None = None, path: str = PO
                 ) -> Callable[[Path], str | None]:
    """A PO file edited by hand; the error is on the line of the last ``at`` in the
    new text (line 1, the header, when it is None)."""

    def setup(root: Path) -> str | None:
        new = mangle((root / path).read_text(encoding="utf-8"))
        (root / path).write_text(new, encoding="utf-8")
        return f"{path}:{line_of(new, at) if at else 1}"

    return setup


def line_of(text: str, needle: str) -> int:
    return text[: text.rindex(needle)].count("\n") + 1


def catalog_bytes(mangle: Callable[[bytes], bytes], at: bytes | None = None,
                  handled: bool = False) -> Callable[[Path], str | None]:
    """A PO file's bytes changed; the error is on the line where ``at`` is (line 1
    when it is None), or there is none (``handled``)."""

    def setup(root: Path) -> str | None:
        data = mangle((root / PO).read_bytes())
        (root / PO).write_bytes(data)
        if handled:
            return None
        line = data[: data.index(at)].count(b"\n") + 1 if at else 1
        return f"{PO}:{line}"

    return setup


def nested(depth: int, open_: str, close: str, inner: str = "Deep text.") -> bytes:
    return (f'<html lang="en"><body>{open_ * depth}{inner}{close * depth}'
            "<p>After it.</p></body></html>\n").encode()


def garbage() -> bytes:
    return random.Random(7).randbytes(4096) + b"\x00"


def big_article(megabytes: float, flat: bool = False) -> bytes:
    """A live blog: sections of 50 updates, each a paragraph with a link (or, flat,
    every paragraph straight in <article>)."""
    parts = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
             "<title>Live: the long night</title></head><body><article><h1>Live</h1>\n"]
    size, i = 0, 0
    while size < megabytes * 1_000_000:
        if not flat and i % 50 == 0:
            parts.append(("</section>" if i else "") + f'<section id="u{i}"><h2>Update {i}</h2>\n')
        words = " ".join(f"word{(i * 7 + j) % 997}" for j in range(30))
        part = f'<p>Entry {i}: the <a href="/n/{i}">council</a> said {words}.</p>\n'
        parts.append(part)
        size += len(part)
        i += 1
    parts.append(("" if flat else "</section>") + "</article></body></html>\n")
    return "".join(parts).encode()


def pot_has(*msgids: str) -> Callable[[Path], None]:
    def check(root: Path) -> None:
        found = {e.msgid for e in polib.pofile(str(root / "locales/templates/bad.pot"))}
        for msgid in msgids:
            assert msgid in found, (msgid, found)

    return check


def page_has(*fragments: bytes, lang: str = "de") -> Callable[[Path], None]:
    def check(root: Path) -> None:
        page = (root / "build" / lang / "bad.html").read_bytes()
        for fragment in fragments:
            assert fragment in page, fragment

    return check


def both(*checks: Callable[[Path], None]) -> Callable[[Path], None]:
    def check(root: Path) -> None:
        for c in checks:
            c(root)

    return check


def human_kept(root: Path) -> None:
    po = polib.pofile(str(root / PO))
    assert any(e.msgstr == HUMAN for e in po), "the human translation is gone"


def replace_once(old: str, new: str) -> Callable[[str], str]:
    def mangle(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return mangle


def source_changed(root: Path) -> None:
    """An editor changed the article; its template is extracted again."""
    page = root / "source" / "news.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Rain", "Snow"), encoding="utf-8")
    assert cli(root, "extract").exit_code == 0


def directory_instead(rel: str) -> Callable[[Path], str | None]:
    def setup(root: Path) -> str | None:
        path = root / rel
        path.unlink()
        path.mkdir()
        return rel

    return setup


def read_only_catalog(root: Path) -> str:
    source_changed(root)
    os.chmod(root / PO, 0o444)
    return PO


def unknown_locale(root: Path) -> None:
    folder = root / "locales" / "qq" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(root / PO, folder / "news.po")


def symlink_loop(root: Path) -> str:
    (root / "source" / "loop.html").symlink_to("loop.html")
    return "source/loop.html"


def config(text: bytes) -> Callable[[Path], str]:
    def setup(root: Path) -> str:
        (root / "l10n.toml").write_bytes(text)
        return str(root / "l10n.toml")

    return setup


def no_template(root: Path) -> str:
    (root / POT).unlink()
    return POT


def no_source_folder(root: Path) -> str:
    shutil.rmtree(root / "source")
    return "source"


def placeholders_tampered(root: Path) -> str:
    path = root / PO
    po = polib.pofile(str(path))
    entry = next(e for e in po if e.msgid.startswith("Read"))
    entry.msgstr = "Lies den Bericht <b7/>."  # lost <a1>, invented <b7/>
    entry.flags.append("fuzzy")
    po.save(str(path))
    again = next(e for e in polib.pofile(str(path)) if e.msgid.startswith("Read"))
    return f"{PO}:{again.linenum}"  # where the entry starts, as review reports it


SYNC = ("sync", "--drafts")
CASES = [
    # -------------------------------------------------------------- articles
    Case("html-truncated", article_file("truncated.html", None), SYNC,
         code=0, check=pot_has("Some text survives.", "And this one is cut in the mid")),
    Case("html-truncated-in-a-tag", article_file("truncated-in-tag.html", None), SYNC,
         code=0, check=pot_has("Hello there, reader.")),
    Case("html-nested-1000-deep", article_bytes(lambda: nested(1000, "<div>", "</div>"), None),
         SYNC, code=0, check=both(pot_has("Deep text.", "After it."),
                                  page_has(pseudo_localize("Deep text.").encode()))),
    Case("html-nested-5000-deep", article_bytes(lambda: nested(5000, "<div>", "</div>"),
                                                "source/bad.html:1"),
         SYNC, says="elements nested too deeply"),
    Case("html-inline-nested-3000-deep",
         article_bytes(lambda: nested(3000, "<span>", "</span>", "<p>x</p>"),
                       "source/bad.html:1"), SYNC, says="elements nested too deeply"),
    Case("html-unclosed-nesting", article_bytes(
        lambda: b"<html><body>" + b"<div><p>Never closed " * 3000, "source/bad.html:1"), SYNC,
         says="elements nested too deeply"),
    Case("html-lying-charset-is-utf8", article_file("lying-charset-latin1.html", None), SYNC,
         code=0, check=pot_has("Grüße aus Köln")),
    Case("html-lying-charset-is-latin1", article_file("lying-charset-utf8.html",
                                                      "source/bad.html:4"), SYNC,
         says="declared UTF-8 but holds bytes that are not valid UTF-8"),
    Case("html-unknown-charset", article_file("unknown-charset.html"), SYNC,
         says="unknown charset 'x-klingon'"),
    Case("html-shift-jis", article_file("shift-jis.html", None), SYNC, code=0,
         check=pot_has("日本語の記事です。")),
    Case("html-lying-charset-sjis", article_file("lying-charset-sjis.html",
                                                 "source/bad.html:2"), SYNC,
         says="bytes that are not valid shift_jis"),
    Case("html-binary-garbage", article_bytes(garbage, None), SYNC, says="binary data"),
    Case("html-nul-byte", article_file("nul-byte.html", "source/bad.html:3"), SYNC,
         says="binary data (NUL byte)"),
    Case("html-bom-utf8", article_file("bom-utf8.html", None), SYNC, code=0,
         check=both(pot_has("Text after a byte-order mark."), page_has(b"\xef\xbb\xbf<"))),
    Case("html-bom-utf16le", article_file("bom-utf16le.html", None), SYNC, code=0,
         check=both(pot_has("Sixteen bits, little end."), page_has(b"\xff\xfe<\x00"))),
    Case("html-bom-utf16be", article_file("bom-utf16be.html", None), SYNC, code=0,
         check=pot_has("Sixteen bits, big end.")),
    Case("html-utf16-without-bom", article_file("utf16-without-bom.html",
                                                "source/bad.html:1"), SYNC,
         says="binary data (NUL byte)"),
    Case("html-bom-then-garbage", article_file("bom-then-garbage.html"), SYNC,
         says="not valid utf-8 after its byte-order mark"),
    Case("html-crlf", article_file("crlf.html", None), SYNC, code=0,
         check=both(pot_has("Windows lines", "One paragraph over two lines."),
                    page_has(pseudo_localize("Another one.").encode()))),
    Case("html-cr-only", article_file("cr-only.html", None), SYNC, code=0,
         check=pot_has("Old Mac line ends.")),
    Case("html-empty", article_file("empty.html"), SYNC, says="empty document"),
    Case("html-whitespace-only", article_file("whitespace-only.html"), SYNC,
         says="empty document"),
    Case("html-comment-only", article_file("comment-only.html"), SYNC,
         says="no HTML content"),
    Case("html-control-characters", article_file("control-chars.html", None), SYNC, code=0,
         check=pot_has("Bell\x07 escape\x1b[31m and form feed.")),
    Case("html-bad-character-references", article_file("bad-char-references.html", None),
         SYNC, code=0),
    Case("html-symlink-loop", symlink_loop, ("extract", "--article", "loop"),
         says="no such article"),
    Case("html-very-large", article_bytes(lambda: big_article(BIG_MB), None), ("extract",),
         code=0, check=pot_has("Entry 0: the <a1>council</a1> said " + " ".join(
             f"word{j % 997}" for j in range(30)) + ".")),
    # -------------------------------------------------------------- catalogs
    Case("po-unterminated-string", catalog_text(
        replace_once('msgstr "[Ŧ', 'msgstr "[\nŦ'), at='msgstr "[\n'), ("update",),
         says="malformed string after msgstr"),
    Case("po-bad-escape", catalog_text(
        replace_once('msgstr "[Ŧ', 'msgstr "\\q[Ŧ'), at='msgstr "\\q'), ("update",),
         says="malformed string after msgstr"),
    Case("po-garbage-line", catalog_text(
        lambda t: t + "\nthis is not a PO line\n", at="this is not"), ("merge",),
         says="syntax error: 'this is not a PO line'"),
    Case("po-duplicate-entry", catalog_text(
        lambda t: t + '\nmsgid "Rain is expected."\nmsgstr "Noch einmal."\n',
        at='msgid "Rain is expected."'), ("update",),
         says="duplicate entry (first defined at line"),
    # Header problems are reported on the header field's own line.
    Case("po-broken-plural-forms", catalog_text(
        replace_once("nplurals=2; plural=(n != 1);", "nplurals=2; plural=(n != 1"),
        at='"Plural-Forms:'), ("update",), says="invalid Plural-Forms header"),
    Case("po-no-plural-forms-left", catalog_text(
        replace_once("nplurals=2; plural=(n != 1);", "nplurals=0; plural=0;"),
        at='"Plural-Forms:'), ("translate",), says="invalid Plural-Forms header"),
    Case("po-latin1-charset-header", catalog_text(
        replace_once("charset=UTF-8", "charset=ISO-8859-1"), at='"Content-Type:'), ("review",),
         says="charset ISO-8859-1 is not supported"),
    Case("po-not-utf8", catalog_bytes(lambda b: b.replace(HUMAN.encode(), b"Gr\xfc\xdfe"),
                                      at=b"Gr\xfc"), ("update",), says="not valid UTF-8"),
    Case("po-utf16", catalog_bytes(lambda b: b"\xff\xfe" + b.decode().encode("utf-16-le")),
         ("update",), says="not valid UTF-8"),
    Case("po-nul-byte", catalog_bytes(lambda b: b.replace(b"Regen", b"Re\x00gen"), at=b"\x00"),
         ("approve", "news", "--lang", "de"), says="binary data (NUL byte)"),
    Case("po-truncated", catalog_text(lambda t: t[: t.rindex("msgstr")],
                                      at='msgid "Rain is expected."'), ("update",),
         says="entry has no msgstr"),
    Case("po-broken-obsolete-entry", catalog_text(
        lambda t: t + '\n#~ msgid "gone"\n#~ garbage\n', at="#~ garbage"), ("update",),
         says="cannot parse: Syntax error in po file"),
    Case("po-byte-order-mark", catalog_bytes(lambda b: b"\xef\xbb\xbf" + b, handled=True),
         ("update",), code=0, check=human_kept),
    Case("po-crlf", catalog_bytes(lambda b: b.replace(b"\n", b"\r\n"), handled=True),
         ("update",), code=0, check=human_kept),
    Case("po-very-long-translation", catalog_bytes(
        lambda b: b.replace(HUMAN.encode(), b"lang " * 40_000), handled=True), ("update",),
         code=0),
    Case("po-tampered-placeholders", lambda root: (placeholders_tampered(root), None)[1],
         ("merge", "--drafts"), code=0, says=f"warning: {PO}:"),
    Case("po-tampered-placeholders-approve", placeholders_tampered,
         ("review", "approve", "--lang", "de", "--by", "Rita"), prefix="refused",
         says="placeholders do not match the source"),
    Case("po-unknown-locale", lambda root: unknown_locale(root), ("sync", "--no-translate"),
         code=0),
    Case("po-wrong-language-header", catalog_bytes(
        lambda b: b.replace(b'"Language: de\\n"', b'"Language: fr\\n"'), handled=True),
         ("update",),
         code=0, check=human_kept),
    Case("po-is-a-directory", directory_instead(PO), ("update",), says="cannot read"),
    Case("po-read-only", read_only_catalog, ("update",), says="read-only file"),
    Case("pot-syntax-error", catalog_text(lambda t: t + '\nmsgid "x\n', at='msgid "x',
                                          path=POT),
         ("update",), says="malformed string after msgid"),
    Case("pot-is-a-directory", directory_instead(POT), ("merge",), says="cannot read"),
    Case("pot-missing", no_template, ("approve", "news", "--lang", "de"),
         says="no template; run 'l10n extract' first"),
    Case("output-is-a-directory", directory_instead("build/de/news.html"), ("merge",),
         says="cannot write: Is a directory"),
    Case("source-folder-missing", no_source_folder, ("extract",),
         says="source folder not found"),
    # ------------------------------------------------------------ configuration
    Case("config-invalid-toml", config(b"languages = [\n"), ("update",), code=2,
         says="invalid TOML"),
    Case("config-wrong-type", config(b'languages = "de"\n'), ("update",), code=2,
         says="languages must be a list of locale codes"),
    Case("config-not-utf8", config(b"\xff\xfe garbage"), ("update",), code=2,
         says="cannot read"),
    Case("config-unknown-locale", config(b'languages = ["de", "qq-ZZ"]\n'), ("update",),
         code=2, says="unknown locale code 'qq-ZZ'"),
    Case("config-locale-twice", config(b'languages = ["de", "fr", "de"]\n'), ("update",),
         code=2, says="languages: 'de' is listed twice"),
    Case("config-locale-two-spellings", config(b'languages = ["pt-BR", "pt_BR"]\n'),
         ("update",), code=2, says="languages: 'pt-BR' and 'pt_BR' are the same locale (pt_BR)"),
]


def _assert_clean(stdout: str, stderr: str, code: int, case: Case, where: str | None) -> None:
    assert "Traceback" not in stdout + stderr
    assert code == case.code, stderr
    if case.code == 0:
        assert "error:" not in stderr, stderr
        if case.says:
            assert case.says in stderr, stderr
        return
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"{case.prefix}: "), lines[0]
    if where is not None:
        assert lines[0].startswith((f"{case.prefix}: {where}: ", f"{case.prefix}: {where} ")), (
            where, lines[0])
    assert case.says in lines[0], lines[0]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, ready: Path, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(ready, root, symlinks=True)
    where = case.setup(root)
    before = snapshot(root)
    result = CliRunner().invoke(main, ["-C", str(root), *case.args])
    # An exception other than the CLI's own exit is what a user would see as a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    _assert_clean(result.stdout, result.stderr, result.exit_code, case, where)
    if case.code != 0:
        assert snapshot(root) == before, "a file changed"
        return
    for path in sorted(root.rglob("*.po")) + sorted(root.rglob("*.pot")):
        assert msgfmt_ok(path) == "", path
    if case.check is not None:
        case.check(root)


def test_the_corpus_has_enough_cases() -> None:
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)
    used = {p.name for p in BADINPUT.glob("*.html")}
    assert used, "tests/badinput/ is empty"


# ------------------------------------------------------- in a real process


def l10n_process(root: Path, *args: str, preexec: Callable[[], None] | None = None
                 ) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-m", "l10n", "-C", str(root), *args],
                          capture_output=True, text=True, env=env, timeout=120,
                          preexec_fn=preexec)


def _disk_full() -> None:
    # A file may not grow beyond 300 bytes: writes fail with EFBIG, as on a full disk
    # (the signal that would kill the process is ignored, as a full disk sends none).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (300, 300))


# Each step, and the steps run before it so that it has something to write.
FULL_DISK = [
    (("extract",), (), POT),
    (("update",), (("extract",),), PO),
    (("translate",), (("extract",), ("update",)), PO),
    (("review", "approve", "--lang", "de", "--by", "Rita"),
     (("extract",), ("update",), ("translate",)), PO),
    (("merge", "--drafts"), (("extract",), ("update",)), "build/"),
]


@pytest.mark.parametrize(("args", "before_it", "where"), FULL_DISK,
                         ids=[a[0] for a, _, _ in FULL_DISK])
def test_a_full_disk_changes_nothing(ready: Path, tmp_path: Path, args: tuple[str, ...],
                                     before_it: tuple[tuple[str, ...], ...], where: str
                                     ) -> None:
    root = tmp_path / "ws"
    shutil.copytree(ready, root)
    page = root / "source" / "news.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</body>", "<p>Snow is coming.</p></body>"), encoding="utf-8")
    for step in before_it:
        assert cli(root, *step).exit_code == 0
    before = snapshot(root)
    proc = l10n_process(root, *args, preexec=_disk_full)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith(f"error: {where}") and lines[0].endswith(
        ": cannot write: File too large"), lines[0]
    assert snapshot(root) == before
    # With room on the disk again, the same command goes through.
    assert l10n_process(root, *args).returncode == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file whatever its mode;"
                    " the directory-in-place-of-a-file cases cover failed reads")
def test_an_unreadable_catalog(ready: Path, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(ready, root)
    os.chmod(root / PO, 0)
    before = {k: v for k, v in snapshot_but(root, PO).items()}
    stat = (root / PO).stat()
    proc = l10n_process(root, "update")
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"error: {PO}: cannot read: Permission denied"
    assert (root / PO).stat().st_mtime_ns == stat.st_mtime_ns
    assert snapshot_but(root, PO) == before


def snapshot_but(root: Path, rel: str) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p != root / rel and p.name != ".l10n.lock"}


# ---------------------------------------------------------------- very large


@pytest.mark.skipif(not SLOW, reason="minutes: set L10N_SLOW_TESTS=1")
@pytest.mark.parametrize("flat", [False, True], ids=["sections", "flat"])
def test_a_very_large_article_goes_through_the_pipeline(tmp_path: Path, flat: bool) -> None:
    root = tmp_path / "ws"
    (root / "source").mkdir(parents=True)
    (root / "l10n.toml").write_text('source_language = "en"\nlanguages = ["de"]\n',
                                    encoding="utf-8")
    (root / "source" / "big.html").write_bytes(big_article(max(BIG_MB, 20), flat=flat))
    for args in (["extract"], ["update"], ["merge", "--drafts"]):
        result = cli(root, *args)
        assert result.exit_code == 0, result.output
    assert msgfmt_ok(root / "locales/de/LC_MESSAGES/big.po") == ""
    assert (root / "build/de/big.html").stat().st_size > 20_000_000
