"""The `infraplane` command line (Typer + Rich)."""
