"""Point Terraform's AWS provider and boto3/Ansible clients at the sandbox cloud.

The HCL is written into `_infraplane_override.tf` next to a module. Terraform merges an
override file's `provider "aws"` block into the module's own one argument by argument, so
the module keeps its `region` and `default_tags` and gains only the sandbox settings below.
"""

from __future__ import annotations

import json

__all__ = ["SANDBOX_REGION", "SANDBOX_SERVICES", "provider_override_hcl", "sandbox_environment"]

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


def provider_override_hcl(endpoint: str) -> str:
    """HCL of a `provider "aws"` override block sending every sandbox service to `endpoint`.

    The credentials are moto's dummies; the skip flags stop the provider from calling STS, IMDS
    and the account-ID lookups, which would otherwise go to the real AWS before any endpoint is used.
    """
    url = json.dumps(endpoint.rstrip("/"))
    width = max(len(name) for name in SANDBOX_SERVICES)
    endpoint_lines = "\n".join(f"    {name.ljust(width)} = {url}" for name in SANDBOX_SERVICES)
    return (
        "# Written by infraplane: points the AWS provider at the sandbox cloud. Do not edit.\n"
        'provider "aws" {\n'
        '  access_key                  = "test"\n'
        '  secret_key                  = "test"\n'
        "  skip_credentials_validation = true\n"
        "  skip_metadata_api_check     = true\n"
        "  skip_requesting_account_id  = true\n"
        "  s3_use_path_style           = true\n"
        "\n"
        "  endpoints {\n"
        f"{endpoint_lines}\n"
        "  }\n"
        "}\n"
    )


def sandbox_environment(endpoint: str) -> dict[str, str]:
    """Environment variables that make boto3 (and so Ansible's amazon.aws modules) use the sandbox."""
    return {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": SANDBOX_REGION,
        "AWS_ENDPOINT_URL": endpoint.rstrip("/"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
