"""Use cases: the catalog, the audit trail; each works through core.ports interfaces."""
