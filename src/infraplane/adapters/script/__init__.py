"""The script runner."""
