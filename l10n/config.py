"""Workspace configuration, from ``[tool.l10n]`` in pyproject.toml or from l10n.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

_KNOWN_KEYS = {
    "source_dir",
    "locales_dir",
    "build_dir",
    "languages",
    "source_language",
    "engine",
    "engines",
    "check",
    "url_template",
    "tm_min_score",
    "jobs",
}


@dataclass
class Config:
    """Where a workspace keeps its files, and what it translates into."""

    root: Path
    source_dir: str = "source"
    locales_dir: str = "locales"
    build_dir: str = "build"
    languages: list[str] = field(default_factory=list)
    source_language: str = "en"
    engine: str = "pseudo"
    engines: dict[str, dict[str, Any]] = field(default_factory=dict)
    check: dict[str, Any] = field(default_factory=dict)
    # Where each language version is published, relative to a built page.
    url_template: str = "../{lang}/{slug}.html"
    tm_min_score: float = 80.0
    jobs: int | None = None
    config_file: Path | None = None

    @property
    def source_path(self) -> Path:
        return self.root / self.source_dir

    @property
    def locales_path(self) -> Path:
        return self.root / self.locales_dir

    @property
    def templates_path(self) -> Path:
        return self.locales_path / "templates"

    @property
    def build_path(self) -> Path:
        return self.root / self.build_dir

    def template_file(self, slug: str) -> Path:
        return self.templates_path / f"{slug}.pot"

    def catalog_file(self, lang: str, slug: str) -> Path:
        return self.locales_path / lang / "LC_MESSAGES" / f"{slug}.po"

    def source_file(self, slug: str) -> Path:
        return self.source_path / f"{slug}.html"

    def output_file(self, lang: str, slug: str) -> Path:
        return self.build_path / lang / f"{slug}.html"

    def rel(self, path: Path) -> str:
        """A path as users see it: relative to the workspace root. The file itself is
        named as it is, not resolved: a symbolic link (even one that loops) is shown
        under its own name."""
        try:
            where = path.absolute().parent.resolve() / path.name
            return where.relative_to(self.root.resolve()).as_posix()
        except (ValueError, RuntimeError, OSError):  # RuntimeError: a symlink loop
            return str(path)


def find_workspace(start: Path | None = None) -> Path:
    """The nearest folder, from ``start`` upward, that holds an l10n configuration."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "l10n.toml").is_file():
            return folder
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_l10n_table(pyproject):
            return folder
    raise ConfigError(
        "no l10n workspace here or above (no l10n.toml, no [tool.l10n] in pyproject.toml);"
        " run 'l10n init' or pass -C DIR",
        here,
    )


def _has_l10n_table(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("tool"), dict) and "l10n" in data["tool"]


def load_config(root: Path) -> Config:
    """Read the configuration of the workspace at ``root``."""
    root = root.resolve()
    l10n_toml = root / "l10n.toml"
    pyproject = root / "pyproject.toml"
    if l10n_toml.is_file():
        file, table = l10n_toml, _read_toml(l10n_toml)
    elif pyproject.is_file():
        data = _read_toml(pyproject)
        tool = data.get("tool", {})
        if not isinstance(tool, dict) or "l10n" not in tool:
            raise ConfigError("no [tool.l10n] table", pyproject)
        file, table = pyproject, tool["l10n"]
    else:
        raise ConfigError("not an l10n workspace (no l10n.toml or pyproject.toml)", root)
    if not isinstance(table, dict):
        raise ConfigError("the l10n configuration must be a table", file)
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"unknown configuration key {unknown[0]!r}", file)
    cfg = Config(root=root, config_file=file)
    for key in ("source_dir", "locales_dir", "build_dir", "source_language", "engine"):
        if key in table:
            value = table[key]
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{key} must be a non-empty string", file)
            setattr(cfg, key, value)
    if "url_template" in table:
        if not isinstance(table["url_template"], str):
            raise ConfigError("url_template must be a string", file)
        cfg.url_template = table["url_template"]
    langs = table.get("languages", [])
    if not isinstance(langs, list) or not all(isinstance(x, str) and x for x in langs):
        raise ConfigError("languages must be a list of locale codes", file)
    for key in ("engines", "check"):
        value = table.get(key, {})
        if not isinstance(value, dict):
            raise ConfigError(f"[{key}] must be a table", file)
        setattr(cfg, key, value)
    if "tm_min_score" in table:
        score = table["tm_min_score"]
        if not isinstance(score, int | float) or not 0 <= score <= 100:
            raise ConfigError("tm_min_score must be a number from 0 to 100", file)
        cfg.tm_min_score = float(score)
    if "jobs" in table:
        jobs = table["jobs"]
        if not isinstance(jobs, int) or jobs < 1:
            raise ConfigError("jobs must be a positive whole number", file)
        cfg.jobs = jobs
    # Imported here: locale.py needs Babel, which the config itself does not.
    from .locale import normalize_locale

    cfg.source_language = normalize_locale(cfg.source_language, where=file)
    cfg.languages = list(dict.fromkeys(normalize_locale(x, where=file) for x in langs))
    return cfg


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path) from None
