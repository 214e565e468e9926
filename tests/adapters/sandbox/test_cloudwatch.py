"""The CloudWatch reader (the advisors' `MetricsReader`) on the sandbox: hourly points, dimensions, long windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from infraplane.adapters.cloudwatch import CloudWatchMetrics
from infraplane.adapters.sandbox.control import SandboxInfo
from infraplane.adapters.sandbox.provider import sandbox_target
from infraplane.core.advisors import MetricQuery
from tests.support.sandbox import aws


def test_hourly_points_of_one_resource_over_a_window_longer_than_one_call(sandbox: SandboxInfo) -> None:
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    hours = [1, 2, 3, 24 * 61 + 5]  # the last is beyond one GetMetricStatistics call (1,440 hours)
    data = [
        {
            "MetricName": "CPUUtilization",
            "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": resource}],
            "Timestamp": now - timedelta(hours=h, minutes=20),
            "Value": float(h) + (0.5 if resource == "xcw-db" else 50),
        }
        for h in hours
        for resource in ("xcw-db", "xcw-other")
    ]
    aws(sandbox, "cloudwatch").put_metric_data(Namespace="AWS/RDS", MetricData=data)
    query = MetricQuery("AWS/RDS", "CPUUtilization", (("DBInstanceIdentifier", "xcw-db"),), "Maximum")
    points = CloudWatchMetrics().hourly(sandbox_target(sandbox.endpoint), query, now - timedelta(days=70), now)
    assert [p.value for p in points] == [24 * 61 + 5.5, 3.5, 2.5, 1.5]  # oldest first, only that instance
    assert [p.at for p in points] == sorted(p.at for p in points) and all(p.at.tzinfo for p in points)
    nothing = MetricQuery("AWS/RDS", "CPUUtilization", (("DBInstanceIdentifier", "xcw-none"),), "Maximum")
    assert CloudWatchMetrics().hourly(sandbox_target(sandbox.endpoint), nothing, now - timedelta(days=1), now) == []
