"""Creating a new workspace."""

from __future__ import annotations

from pathlib import Path

from .config import _has_l10n_table
from .errors import ConfigError, L10nError
from .fsio import atomic_write
from .locale import normalize_locale


def init_workspace(folder: Path, source_language: str, languages: list[str]) -> list[str]:
    """Write l10n.toml and the folders of a new workspace; returns what was created."""
    folder = folder.resolve()
    src = normalize_locale(source_language)
    langs = [normalize_locale(x) for x in languages]
    if (folder / "l10n.toml").exists() or (
        (folder / "pyproject.toml").is_file() and _has_l10n_table(folder / "pyproject.toml")
    ):
        raise ConfigError("already an l10n workspace", folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise L10nError(f"cannot create: {exc.strerror or exc}", folder) from None
    quoted = ", ".join(f'"{x}"' for x in langs)
    text = (
        "# l10n workspace: see 'l10n --help'.\n"
        'source_dir = "source"\n'
        'locales_dir = "locales"\n'
        'build_dir = "build"\n'
        f'source_language = "{src}"\n'
        f"languages = [{quoted}]\n"
        'engine = "pseudo"\n'
    )
    created = []
    atomic_write(folder / "l10n.toml", text.encode())
    created.append("l10n.toml")
    for sub in ("source", "locales/templates"):
        path = folder / sub
        if not path.exists():
            path.mkdir(parents=True)
            created.append(sub + "/")
    gitignore = folder / ".gitignore"
    if not gitignore.exists():
        atomic_write(gitignore, b"/build/\n/.l10n-cache/\n.l10n.lock\n")
        created.append(".gitignore")
    return created
