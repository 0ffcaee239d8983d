"""Files l10n writes: permissions as a new file gets them (or as the replaced file
had them), temporary names we can recognise, folders made when missing."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from l10n.errors import L10nError
from l10n.fsio import Transaction, atomic_write, discard, is_temp_file, write_staged


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_the_permissions_the_umask_allows(tmp_path: Path, umask_027) -> None:
    target = tmp_path / "build" / "de" / "page.html"  # folders made as needed
    atomic_write(target, b"<p>Hallo</p>\n")
    assert target.read_bytes() == b"<p>Hallo</p>\n"
    assert _mode(target) == 0o640


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path, umask_027) -> None:
    target = tmp_path / "page.html"
    target.write_bytes(b"old")
    os.chmod(target, 0o604)  # wider than the umask would give a new file
    with Transaction() as tx:
        tx.stage(target, b"new")
    assert target.read_bytes() == b"new"
    assert _mode(target) == 0o604


def test_staged_content_waits_in_a_recognisable_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "page.html"
    staged = [write_staged(target, b"one"), write_staged(target, b"two")]
    temps = [s.tmp for s in staged]
    assert all(t is not None and t.parent == target.parent for t in temps)
    assert all(is_temp_file(t.name) and t.name.startswith(".page.html.l10n-")
               for t in temps if t is not None)
    assert temps[0] != temps[1]
    assert [t.read_bytes() for t in temps if t is not None] == [b"one", b"two"]
    assert not target.exists()
    discard(staged)
    assert sorted(p.name for p in target.parent.iterdir()) == []


def test_a_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "build").write_text("a file where a folder should be")
    with pytest.raises(L10nError) as err:
        atomic_write(tmp_path / "build" / "de" / "page.html", b"x", display="build/de/page.html")
    assert str(err.value).startswith("build/de/page.html: ")
    assert "Not a directory" in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]
