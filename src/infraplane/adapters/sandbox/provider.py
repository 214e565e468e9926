"""The sandbox cloud as a run target: AWS provider endpoints and settings, and client environment variables.

The composition root turns these into a :class:`~infraplane.core.runs.Target`; the runners
apply a target's data (`adapters/terraform/provider.py` renders the provider override) and
never import this module.
"""

from __future__ import annotations

from infraplane.adapters.terraform.provider import aws_provider_override_hcl
from infraplane.core.runs import Target

__all__ = [
    "SANDBOX_PROVIDER_SETTINGS",
    "SANDBOX_REGION",
    "SANDBOX_SERVICES",
    "provider_override_hcl",
    "sandbox_endpoints",
    "sandbox_environment",
    "sandbox_target",
]

SANDBOX_REGION = "us-east-1"

# AWS provider endpoint names (the keys of its `endpoints` block) of every service the catalog
# and the common blueprints use. An endpoint missing here would send that service's calls to
# the real AWS, where the fake credentials fail, so err on the side of listing more.
SANDBOX_SERVICES: tuple[str, ...] = (
    "apigateway",
    "apigatewayv2",
    "autoscaling",
    "cloudwatch",
    "dynamodb",
    "ec2",
    "ecr",
    "ecs",
    "eks",
    "elasticache",
    "elb",
    "elbv2",
    "events",
    "iam",
    "kms",
    "lambda",
    "logs",
    "memorydb",
    "rds",
    "route53",
    "s3",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
    "sts",
)


# `provider "aws"` arguments that keep the provider off the real AWS: moto's dummy credentials, and
# skip flags that stop it calling STS, IMDS and the account-ID lookups before any endpoint is used.
SANDBOX_PROVIDER_SETTINGS: dict[str, str | bool] = {
    "access_key": "test",
    "secret_key": "test",
    "skip_credentials_validation": True,
    "skip_metadata_api_check": True,
    "skip_requesting_account_id": True,
    "s3_use_path_style": True,
}


def sandbox_endpoints(endpoint: str) -> dict[str, str]:
    """Every sandbox service's AWS provider endpoint, all at the emulator."""
    return {name: endpoint.rstrip("/") for name in SANDBOX_SERVICES}


def provider_override_hcl(endpoint: str) -> str:
    """HCL of a `provider "aws"` override block sending every sandbox service to `endpoint`."""
    return aws_provider_override_hcl(SANDBOX_PROVIDER_SETTINGS, sandbox_endpoints(endpoint))


def sandbox_environment(endpoint: str) -> dict[str, str]:
    """Environment variables that make boto3 (and so Ansible's amazon.aws modules) use the sandbox."""
    return {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": SANDBOX_REGION,
        "AWS_ENDPOINT_URL": endpoint.rstrip("/"),
        # Above any shared config's `ignore_configured_endpoint_urls` (the operator's ~/.aws/config, a module's own).
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def sandbox_target(endpoint: str) -> Target:
    """The sandbox as a run target: what the runners need, as data (they never import the sandbox)."""
    return Target(
        "sandbox",
        endpoint,
        SANDBOX_REGION,
        provider_endpoints=sandbox_endpoints(endpoint),
        provider_settings=SANDBOX_PROVIDER_SETTINGS,
        environment=sandbox_environment(endpoint),
    )
