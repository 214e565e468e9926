"""Environment files and their resolution against the catalog."""
