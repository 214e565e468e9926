"""The ansible runner."""
