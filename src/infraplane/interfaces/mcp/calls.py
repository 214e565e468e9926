"""What every tool call shares: who it acts for, the argument types agents read, errors as tool errors."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Annotated, Any, Concatenate, ParamSpec, Protocol, TypeVar

from pydantic import Field
from sqlalchemy.exc import SQLAlchemyError

from infraplane.core.identity import Identity
from infraplane.errors import InfraplaneError
from infraplane.interfaces.mcp.failures import ToolFailure

__all__ = ["CALLER", "EnvironmentName", "Justification", "Result", "tool"]

P = ParamSpec("P")
# The identity a call over HTTP acts for; a ContextVar so the tool's worker thread sees it too.
CALLER: ContextVar[Identity | None] = ContextVar("infraplane_mcp_caller", default=None)
Result = dict[str, Any]

Justification = Annotated[
    str,
    Field(
        description="Why this change is wanted, in a sentence or two (kept with the proposal, shown to the "
        "approvers and in git history). Required."
    ),
]
EnvironmentName = Annotated[str, Field(description="The environment's name, e.g. payments-staging.")]


class _Explains(Protocol):
    def explain_error(self, exc: InfraplaneError, arguments: Mapping[str, Any]) -> Result: ...


T = TypeVar("T", bound=_Explains)


def tool(method: Callable[Concatenate[T, P], Result]) -> Callable[Concatenate[T, P], Result]:
    """Turn infraplane's errors into tool errors naming the argument, what is allowed and what to do."""

    @functools.wraps(method)
    def call(self: T, /, *args: P.args, **kwargs: P.kwargs) -> Result:
        try:
            return method(self, *args, **kwargs)
        except InfraplaneError as exc:
            raise ToolFailure(self.explain_error(exc, kwargs)) from exc
        except SQLAlchemyError as exc:
            first = str(exc).splitlines()[0] if str(exc) else ""
            body = {"error": "failed", "message": f"store error: {exc.__class__.__name__}: {first}"}
            raise ToolFailure({**body, "next": "tell the user: infraplane's database failed"}) from exc

    return call
