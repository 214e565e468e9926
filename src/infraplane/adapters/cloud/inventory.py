"""The cloud inventory adapter: every row of resource_types.py listed with boto3, in each region asked for.

The target (the sandbox, or AWS with the usual credential chain) comes as data: its environment
gives credentials and the endpoint, exactly what the runners pass to Terraform and Ansible.
A type that cannot be listed (a service the endpoint lacks, a permission) is named in the
problems returned beside the resources, never silently left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from infraplane.adapters.cloud.resource_types import RESOURCE_TYPES, ResourceType
from infraplane.core.inventory import CloudResource
from infraplane.core.runs import Target

__all__ = ["CloudInventory"]

_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30)


def _tags(raw: Any, shape: str) -> dict[str, str]:
    if shape == "map" and isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return {str(t.get("Key")): str(t.get("Value", "")) for t in raw if isinstance(t, dict) and "Key" in t}
    return {}


class CloudInventory:
    """Lists the resources of `types` in `regions` of `target` (the first region for global services)."""

    def __init__(self, target: Target, regions: Sequence[str], types: Sequence[ResourceType] = RESOURCE_TYPES) -> None:
        environment = dict(target.environment)
        self._session = boto3.session.Session(
            aws_access_key_id=environment.get("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=environment.get("AWS_SECRET_ACCESS_KEY"),
            aws_session_token=environment.get("AWS_SESSION_TOKEN"),
            profile_name=environment.get("AWS_PROFILE"),
        )
        self._endpoint = environment.get("AWS_ENDPOINT_URL") or target.endpoint
        self._regions = list(regions) or [target.region]
        self._types = list(types)

    def _client(self, service: str, region: str) -> Any:
        return self._session.client(service, region_name=region, endpoint_url=self._endpoint, config=_CONFIG)

    def _items(self, client: Any, row: ResourceType) -> Iterator[Any]:
        if client.can_paginate(row.operation):
            for page in client.get_paginator(row.operation).paginate():
                yield from page.get(row.result_key) or []
        else:
            yield from getattr(client, row.operation)().get(row.result_key) or []

    def _lookup_tags(self, client: Any, row: ResourceType, item: Any, resource_id: str) -> dict[str, str]:
        lookup = row.tag_lookup
        assert lookup is not None
        value = resource_id if lookup.source is None else item.get(lookup.source)
        if not value:
            return {}
        try:
            answer = getattr(client, lookup.operation)(**{lookup.parameter: value})
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in lookup.missing:
                return {}
            raise
        return _tags(answer.get(lookup.result_key), lookup.shape)

    def _resources(self, row: ResourceType, region: str) -> Iterator[CloudResource]:
        client = self._client(row.service, region)
        for item in self._items(client, row):
            if any(rule.matches(item) for rule in row.exclude):
                continue
            resource_id = str(item if row.id_field is None else item.get(row.id_field, ""))
            if not resource_id:
                continue
            tags = _tags(item.get(row.tags_field), "list") if row.tags_field and isinstance(item, dict) else {}
            if row.tag_lookup is not None:
                tags.update(self._lookup_tags(client, row, item, resource_id))
            if row.name_field and isinstance(item, dict):
                name = str(item.get(row.name_field) or "")
            else:
                name = tags.get("Name", "") or resource_id.rstrip("/").rsplit("/", 1)[-1]
            place = str(item.get(row.region_field) or region) if row.region_field and isinstance(item, dict) else region
            yield CloudResource(
                kind=row.kind,
                terraform_type=row.terraform_type,
                id=resource_id,
                import_id=row.import_id.format(id=resource_id),
                region="global" if row.global_service else place,
                state_attribute=row.state_attribute,
                tags=tags,
                name=name,
            )

    def list(self) -> tuple[list[CloudResource], list[str]]:
        """Every resource found, and a problem line for each type and region that could not be listed."""
        found: list[CloudResource] = []
        problems: list[str] = []
        for row in self._types:
            for region in self._regions[:1] if row.global_service else self._regions:
                try:
                    found.extend(self._resources(row, region))
                except (ClientError, BotoCoreError) as exc:
                    problems.append(f"{row.kind} in {region}: {exc}")
        return found, problems
