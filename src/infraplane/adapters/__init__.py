"""Adapters: the store, IaC runners, archive packing, module parsing. Each behind a Protocol of core.ports."""
