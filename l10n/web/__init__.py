"""The review desk: ``l10n serve``, a local web application over the PO files."""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
