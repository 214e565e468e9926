"""Pure domain: models, versions, wiring, graphs, audit hashing. No I/O here."""
