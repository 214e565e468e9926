"""The web page `infraplane serve` serves at `/`: server-rendered HTML over the same services and checks as the API."""

from infraplane.interfaces.web.app import install_web

__all__ = ["install_web"]
