"""AskService over a real store and the published example catalog; an LLM backend served on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from infraplane.adapters.archive import pack_directory
from infraplane.adapters.store import SqlStore
from infraplane.adapters.terraform_module import read_module_interface
from infraplane.core.audit import Actor
from infraplane.core.records import EnvironmentRecord
from infraplane.errors import NotFoundError
from infraplane.interfaces.container import chat_backend
from infraplane.services.ask import AskService, ClarificationNeeded
from infraplane.services.catalog import CatalogService
from infraplane.settings import AskSettings
from tests.conftest import EXAMPLE_CATALOG
from tests.support.chat_api import ChatApi as _Backend
from tests.support.chat_api import openai_reply as _openai

NO_LLM = None  # the built-in resolver alone


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqlStore]:
    store = SqlStore(f"sqlite:///{tmp_path / 'infraplane.db'}")
    store.migrate()
    yield store
    store.dispose()


@pytest.fixture
def catalog(sqlite_store: SqlStore) -> CatalogService:
    service = CatalogService(sqlite_store, pack_directory, read_module_interface)
    service.publish(EXAMPLE_CATALOG, Actor("human", "platform"))
    return service


def _names_in(store: SqlStore) -> Callable[[], set[str]]:
    def taken() -> set[str]:
        with store.transaction() as tx:
            return {record.name for record in tx.environments.all()}

    return taken


def test_resolves_against_the_published_catalog(catalog: CatalogService) -> None:
    service = AskService(catalog, set, NO_LLM)
    resolution = service.resolve("prod environment for billing, medium db, large redis", requester="ann")
    assert resolution.as_dict() == {
        "blueprint": "service-stack",
        "version": "1.0.0",
        "environment": {"name": "billing-prod", "team": "billing", "tier": "prod"},
        "inputs": {"service": "billing", "db_size": "medium", "cache_size": "large"},
    }


def test_a_name_taken_in_the_store_gets_a_suffix(catalog: CatalogService, sqlite_store: SqlStore) -> None:
    with sqlite_store.transaction() as tx:
        tx.environments.save(
            EnvironmentRecord(
                "payments-staging", "payments", "staging", "payments", "service-stack@1.0.0", "sandbox", None, "ready"
            )
        )
    service = AskService(catalog, _names_in(sqlite_store), NO_LLM)
    resolution = service.resolve("spin up a staging environment for the payments service")
    assert resolution.name == "payments-staging-2"


def test_a_vague_request_raises_a_clarification_with_exit_code_3(catalog: CatalogService) -> None:
    service = AskService(catalog, set, NO_LLM)
    with pytest.raises(ClarificationNeeded) as raised:
        service.resolve("I need some infrastructure")
    assert raised.value.exit_code == 3
    assert "service-stack" in [o.value for o in raised.value.clarification.options]


def test_an_empty_catalog_is_not_found(sqlite_store: SqlStore) -> None:
    with pytest.raises(NotFoundError, match="catalog is empty"):
        AskService(CatalogService(sqlite_store, pack_directory, read_module_interface), set, NO_LLM).resolve("a queue")


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]], _Backend]]:
    started: list[_Backend] = []

    def start(reply: Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]) -> _Backend:
        started.append(_Backend(reply))
        return started[-1]

    yield start
    for backend in started:
        backend.close()


def test_an_llm_answer_naming_a_blueprint_outside_the_catalog_falls_back(catalog: CatalogService, serve: Any) -> None:
    backend = serve(_openai('{"blueprint": "kafka-cluster", "tier": "prod", "inputs": {"partitions": 12}}'))
    settings = AskSettings(llm="openai", llm_url=backend.url, llm_key="secret-key", llm_model="small-model")
    service = AskService(catalog, set, chat_backend(settings))
    resolution = service.resolve("fifo queue for order events, staging", requester="ann")
    assert (resolution.blueprint, resolution.tier, dict(resolution.inputs)) == ("queue", "staging", {"fifo": True})
    assert resolution.resolver == "builtin"
    assert "built-in resolver chose" in resolution.notes[0]
    headers, body = backend.requests[0]
    assert headers["Authorization"] == "Bearer secret-key"
    assert body["model"] == "small-model" and "fifo queue for order events" in body["messages"][1]["content"]


def test_a_valid_llm_answer_is_used(catalog: CatalogService, serve: Any) -> None:
    backend = serve(_openai('{"blueprint": "queue", "tier": "prod", "service": "audit", "inputs": {"fifo": true}}'))
    settings = AskSettings(llm="openai", llm_url=backend.url)
    service = AskService(catalog, set, chat_backend(settings))
    resolution = service.resolve("the ordered thing for audit trails", requester="ann")
    assert (resolution.blueprint, resolution.resolver, resolution.tier) == ("queue", "llm", "prod")
    assert (resolution.name, dict(resolution.inputs)) == ("audit-trails-prod", {"fifo": True})


def test_an_anthropic_backend_answer_is_read_from_its_text_blocks(catalog: CatalogService, serve: Any) -> None:
    answer = {"content": [{"type": "text", "text": '{"blueprint": "bucket", "inputs": {"versioning": false}}'}]}
    backend = serve(lambda _: (200, answer))
    settings = AskSettings(llm="anthropic", llm_url=backend.url, llm_key="k")
    service = AskService(catalog, set, chat_backend(settings))
    resolution = service.resolve("somewhere for the files", requester="ann")
    assert (resolution.blueprint, resolution.resolver, dict(resolution.inputs)) == (
        "bucket",
        "llm",
        {"versioning": False},
    )
    headers, body = backend.requests[0]
    assert headers["x-api-key"] == "k" and "anthropic-version" in headers and body["system"]


def test_a_failing_backend_falls_back_to_the_built_in_resolver(catalog: CatalogService, serve: Any) -> None:
    backend = serve(lambda _: (500, {"error": "overloaded"}))
    settings = AskSettings(llm="openai", llm_url=backend.url, llm_key="secret-key")
    service = AskService(catalog, set, chat_backend(settings))
    resolution = service.resolve("a versioned bucket for invoices in production")
    assert (resolution.blueprint, resolution.resolver) == ("bucket", "builtin")
    assert "LLM backend failed" in resolution.notes[0] and "secret-key" not in resolution.notes[0]
