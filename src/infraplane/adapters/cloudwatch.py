"""CloudWatch metrics, hour by hour (`GetMetricStatistics`), for the advisors (the `MetricsReader` port).

The target comes in as data: the sandbox's endpoint and credentials, or nothing for AWS (boto3's own
credential chain). One call covers up to 1,440 hourly datapoints (60 days); longer windows are asked
for in slices.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from infraplane.core.advisors import MetricPoint, MetricQuery
from infraplane.core.runs import Target
from infraplane.errors import FailureError

__all__ = ["CloudWatchMetrics"]

_HOUR = 3600
_MOST_POINTS = 1440  # GetMetricStatistics answers at most this many datapoints per call


def _client(target: Target) -> Any:
    environment = target.environment
    return boto3.client(
        "cloudwatch",
        region_name=environment.get("AWS_DEFAULT_REGION") or target.region,
        endpoint_url=environment.get("AWS_ENDPOINT_URL") or target.endpoint or None,
        aws_access_key_id=environment.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=environment.get("AWS_SECRET_ACCESS_KEY"),
        aws_session_token=environment.get("AWS_SESSION_TOKEN"),
    )


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


class CloudWatchMetrics:
    """Reads metrics from the target's CloudWatch."""

    def hourly(self, target: Target, query: MetricQuery, start: datetime, end: datetime) -> list[MetricPoint]:
        client = _client(target)
        points: dict[datetime, float] = {}
        begin, end = _utc(start), _utc(end)
        while begin < end:
            until = min(end, begin + timedelta(hours=_MOST_POINTS))
            try:
                answer = client.get_metric_statistics(
                    Namespace=query.namespace,
                    MetricName=query.name,
                    Dimensions=[{"Name": k, "Value": v} for k, v in query.dimensions],
                    StartTime=begin,
                    EndTime=until,
                    Period=_HOUR,
                    Statistics=[query.statistic],
                )
            except (BotoCoreError, ClientError) as exc:
                raise FailureError(f"cannot read {query.describe()} from CloudWatch: {exc}") from None
            for datapoint in answer.get("Datapoints", []):
                if query.statistic in datapoint:
                    points[_utc(datapoint["Timestamp"])] = float(datapoint[query.statistic])
            begin = until
        return [MetricPoint(at, value) for at, value in sorted(points.items())]
