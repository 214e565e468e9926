"""Interfaces: the CLI now; the REST API, web page and MCP server build on the same container."""
