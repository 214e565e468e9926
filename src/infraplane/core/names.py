"""What a name of a blueprint, environment, bundle or team may look like."""

from __future__ import annotations

__all__ = ["NAME_PATTERN"]

NAME_PATTERN = r"^[a-z][a-z0-9-]{0,62}$"
