"""l10n: translation and localization workflow for HTML news articles."""

from __future__ import annotations

__version__ = "0.1.0"
