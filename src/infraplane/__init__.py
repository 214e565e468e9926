"""infraplane: an environment-orchestration control plane.

A catalog of versioned, immutable blueprints; environments planned and applied
in dependency order; guardrails; every change audited.
"""

from infraplane.errors import InfraplaneError, InputError

__all__ = ["InfraplaneError", "InputError", "__version__"]

__version__ = "0.1.0"
