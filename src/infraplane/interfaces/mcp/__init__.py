"""infraplane for AI agents over the Model Context Protocol: read the catalog and environments, propose changes.

Agents propose; they never approve or apply. Every tool call is audited under the agent's identity.
"""

from infraplane.interfaces.mcp.server import InfraplaneServer, build_server, serve
from infraplane.interfaces.mcp.tools import AgentTools

__all__ = ["AgentTools", "InfraplaneServer", "build_server", "serve"]
