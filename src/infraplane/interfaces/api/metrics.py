"""Prometheus metrics at `/metrics`: the server's HTTP traffic, the store's figures and the KPIs (docs/server.md).

Each app has its own CollectorRegistry (tests build many apps in one process). HTTP requests are
labelled by route template, never by raw path, so a client cannot invent label values; the
store's figures are read at scrape time by `StoreCollector`, so they hold across restarts and
across processes sharing one store.
"""

from __future__ import annotations

import time

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infraplane.interfaces.api.kpi_metrics import KpiCollector
from infraplane.interfaces.api.request_log import route_template
from infraplane.interfaces.api.store_metrics import StoreCollector
from infraplane.interfaces.container import Container

__all__ = ["HttpMetrics", "install_metrics"]

# Seconds; the API's goal is a p99 under 50 ms, so the buckets are fine below that.
HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class HttpMetrics:
    """ASGI middleware counting requests by method, route template and status, and timing them."""

    def __init__(self, app: ASGIApp, requests: Counter, duration: Histogram) -> None:
        self.app = app
        self.requests = requests
        self.duration = duration

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            route, method = route_template(scope), scope["method"]
            self.requests.labels(method, route, str(status)).inc()
            self.duration.labels(method, route).observe(time.perf_counter() - started)


def install_metrics(app: FastAPI, container: Container) -> CollectorRegistry:
    """Serve `/metrics` from a registry of this app's own; returns the registry."""
    registry = CollectorRegistry(auto_describe=True)
    registry.register(StoreCollector(lambda: container.store))
    registry.register(KpiCollector(lambda: container.kpi))
    requests = Counter(
        "infraplane_http_requests",
        "HTTP requests answered, by method, route template and status.",
        ["method", "route", "status"],
        registry=registry,
    )
    duration = Histogram(
        "infraplane_http_request_duration_seconds",
        "Time from a request's arrival to the end of its response, by method and route template.",
        ["method", "route"],
        buckets=HTTP_BUCKETS,
        registry=registry,
    )
    app.add_middleware(HttpMetrics, requests=requests, duration=duration)
    app.state.metrics_registry = registry

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        """The Prometheus text format; reading the store runs in a worker thread."""
        body = await anyio.to_thread.run_sync(generate_latest, registry)
        return Response(body, media_type=CONTENT_TYPE_PLAIN_0_0_4)

    return registry
