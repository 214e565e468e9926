"""The blueprint catalog: validate, publish, deprecate, list, show, search."""

from infraplane.services.catalog.service import CatalogService, PublishResult

__all__ = ["CatalogService", "PublishResult"]
