"""Loading the price tables the cost estimator reads (YAML files packaged under `infraplane/resources/prices`)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from infraplane.core.cost import PriceTable, PriceTableError
from infraplane.core.yaml_text import load_yaml_text
from infraplane.errors import ConfigError, InputError, Problem

__all__ = ["DEFAULT_PRICE_TABLE", "load_price_table"]

DEFAULT_PRICE_TABLE = "aws-us-east-1.yaml"


def _read(path: Path | None) -> tuple[str, str]:
    """The table's text and the name to report it by."""
    if path is None:
        packaged = resources.files("infraplane").joinpath("resources", "prices", DEFAULT_PRICE_TABLE)
        name = f"infraplane/resources/prices/{DEFAULT_PRICE_TABLE}"
        try:
            return packaged.read_text(encoding="utf-8"), name
        except OSError as error:
            raise ConfigError(
                f"{name}: the packaged price table cannot be read ({error.strerror or error})",
                [Problem(name, "", "cannot be read")],
            ) from error
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as error:
        reason = f"cannot be read: {getattr(error, 'strerror', None) or error}"
        raise ConfigError(f"price table {path}: {reason}", [Problem(str(path), "", reason)]) from error


def load_price_table(path: Path | None = None) -> PriceTable:
    """Read and check a price table: the packaged us-east-1 table, or the YAML file at `path`.

    Raises :class:`ConfigError` naming the file and the field at fault (e.g.
    `rds.instance_hourly.postgresql.db.t3.micro: must be a number`) when the
    file is unreadable, not YAML, or not a valid table.
    """
    text, name = _read(path)
    try:
        data = load_yaml_text(text, name)
    except InputError as error:
        raise ConfigError.from_problems(error.problems) from None
    try:
        return PriceTable.from_mapping(data)
    except PriceTableError as error:
        raise ConfigError(
            f"price table {name}: {error.field or '(top level)'}: {error.reason}",
            [Problem(name, error.field, error.reason)],
        ) from error
