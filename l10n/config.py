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


COUNT_UNITS = ("words", "segments")
_CHECK_KEYS = {"min_complete", "min_complete_per_locale", "count", "require_approved",
               "untranslated_copy_words"}


@dataclass
class CheckSettings:
    """The gates of ``l10n check``, from ``[tool.l10n.check]``."""

    # A gate by default: everything translated. Lower it per workspace or locale.
    min_complete: float | None = 100.0
    # Per-locale minimums, which replace min_complete for their locale.
    min_complete_per_locale: dict[str, float] = field(default_factory=dict)
    count: str = "words"  # what completeness counts: "words" or "segments"
    require_approved: bool = False  # every version must be approved (and not stale)
    # A translation identical to a source of more words than this is reported.
    untranslated_copy_words: int = 4

    def min_complete_for(self, lang: str) -> float | None:
        return self.min_complete_per_locale.get(lang, self.min_complete)


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
    check: CheckSettings = field(default_factory=CheckSettings)
    # Where each language version is published, relative to a built page.
    url_template: str = "../{lang}/{slug}.html"
    tm_min_score: float = 80.0
    jobs: int | None = None
    config_file: Path | None = None
    _folders: dict[tuple[str, ...], Path] = field(default_factory=dict, init=False,
                                                  repr=False, compare=False)

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

    # A re-run names every file of the workspace (13,000 at 1,000 articles in 5
    # locales): each folder is joined once, and each file is one join.
    def _folder(self, kind: str, lang: str = "") -> Path:
        key = (kind, lang, self.source_dir, self.locales_dir, self.build_dir)
        found = self._folders.get(key)
        if found is None:
            if kind == "source":
                found = self.source_path
            elif kind == "templates":
                found = self.templates_path
            elif kind == "catalogs":
                found = self.locales_path / lang / "LC_MESSAGES"
            else:
                found = self.build_path / lang
            self._folders[key] = found
        return found

    def template_file(self, slug: str) -> Path:
        return self._folder("templates") / f"{slug}.pot"

    def catalog_file(self, lang: str, slug: str) -> Path:
        return self._folder("catalogs", lang) / f"{slug}.po"

    def source_file(self, slug: str) -> Path:
        return self._folder("source") / f"{slug}.html"

    def output_file(self, lang: str, slug: str) -> Path:
        return self._folder("build", lang) / f"{slug}.html"

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
        try:
            cfg.url_template.format(lang="de", slug="article")
        except (KeyError, IndexError, ValueError) as exc:
            raise ConfigError(f"url_template {cfg.url_template!r} is not a template of"
                              f" {{lang}} and {{slug}} ({type(exc).__name__}: {exc})",
                              file) from None
    langs = table.get("languages", [])
    if not isinstance(langs, list) or not all(isinstance(x, str) and x for x in langs):
        raise ConfigError("languages must be a list of locale codes", file)
    for key in ("engines", "check"):
        if not isinstance(table.get(key, {}), dict):
            raise ConfigError(f"[{key}] must be a table", file)
    cfg.engines = table.get("engines", {})
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
    # Imported here: locale.py needs Babel, which the config itself does not; the
    # engine name is checked now, not at the translate step, where sync would already
    # have written templates and catalogs.
    from .engines import ENGINE_NAMES
    from .locale import normalize_locale

    if cfg.engine not in ENGINE_NAMES:
        raise ConfigError(f"unknown engine {cfg.engine!r} (known: {', '.join(ENGINE_NAMES)})",
                          file)
    cfg.source_language = normalize_locale(cfg.source_language, where=file)
    # A locale listed twice is a mistake worth saying (a typo for another locale, or
    # two spellings of one), not something to drop silently.
    seen: dict[str, str] = {}
    for code in langs:
        norm = normalize_locale(code, where=file)
        if norm in seen:
            same = (f"{code!r} is listed twice" if seen[norm] == code else
                    f"{seen[norm]!r} and {code!r} are the same locale ({norm})")
            raise ConfigError(f"languages: {same}", file)
        seen[norm] = code
    cfg.languages = list(seen)
    cfg.check = _check_settings(table.get("check", {}), cfg.languages, file)
    return cfg


def _percent(value: Any, name: str, file: Path) -> float:
    # bool is an int to Python, but `min_complete = true` is a mistake, not 1 %.
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise ConfigError(f"[check] {name} must be a percentage from 0 to 100", file)
    return float(value)


def _check_settings(table: dict[str, Any], languages: list[str], file: Path) -> CheckSettings:
    """Validate ``[check]``: every mistake is a configuration error (exit code 2)."""
    from .locale import normalize_locale

    unknown = sorted(set(table) - _CHECK_KEYS)
    if unknown:
        raise ConfigError(f"unknown key {unknown[0]!r} in [check]", file)
    settings = CheckSettings()
    if "min_complete" in table:
        settings.min_complete = _percent(table["min_complete"], "min_complete", file)
    per_locale = table.get("min_complete_per_locale", {})
    if not isinstance(per_locale, dict):
        raise ConfigError("[check.min_complete_per_locale] must be a table of"
                          " locale = percentage", file)
    for code, value in per_locale.items():
        lang = normalize_locale(code, where=file)
        if lang not in languages:
            raise ConfigError(f"[check.min_complete_per_locale] {code}: not one of the"
                              " configured languages", file)
        settings.min_complete_per_locale[lang] = _percent(
            value, f"min_complete_per_locale.{code}", file)
    if "count" in table:
        if table["count"] not in COUNT_UNITS:
            raise ConfigError('[check] count must be "words" or "segments"', file)
        settings.count = table["count"]
    if "require_approved" in table:
        if not isinstance(table["require_approved"], bool):
            raise ConfigError("[check] require_approved must be true or false", file)
        settings.require_approved = table["require_approved"]
    if "untranslated_copy_words" in table:
        words = table["untranslated_copy_words"]
        if isinstance(words, bool) or not isinstance(words, int) or words < 0:
            raise ConfigError("[check] untranslated_copy_words must be a whole number"
                              " of 0 or more", file)
        settings.untranslated_copy_words = words
    return settings


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path) from None
