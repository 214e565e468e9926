package infraplane.baseline.secrets_test

import rego.v1

import data.infraplane.baseline.lib_test as t
import data.infraplane.baseline.secrets

# ---------------------------------------------------------------- SEC-001

db_with_password(password_expression) := t.with_config(
	t.resource("aws_db_instance", "main", {"identifier": "main", "password": "hunter2"}),
	{"identifier": t.const("main"), "password": password_expression, "manage_master_user_password": t.const(true)},
)

literal_password := t.plan_input([db_with_password(t.const("hunter2"))])

test_sec001_fires_on_literal_password if {
	findings := secrets.deny with input as literal_password
	f := t.only(findings, "SEC-001")
	f.address == "aws_db_instance.main"
	f.attribute == "password"
	f.message == "aws_db_instance.main password is a literal in the configuration: the secret is in the repository, the plan and the state"
	not contains(f.message, "hunter2")
	not contains(f.remediation, "hunter2")
}

variable_password := t.plan_input([db_with_password(t.reference(["var.db_password"]))])

test_sec001_quiet_on_variable_reference if {
	findings := secrets.deny with input as variable_password
	count(findings) == 0
}

empty_password := t.plan_input([db_with_password(t.const(""))])

test_sec001_quiet_on_empty_literal if {
	findings := secrets.deny with input as empty_password
	count(findings) == 0
}

null_password := t.plan_input([db_with_password(t.const(null))])

test_sec001_quiet_on_null_literal if {
	findings := secrets.deny with input as null_password
	count(findings) == 0
}

nested_and_write_only := t.plan_input([
	t.with_config(t.resource("aws_opensearch_domain", "search", {}), {"advanced_security_options[0].master_user_options[0].master_user_password": t.const("s3cret!")}),
	t.with_config(t.resource("aws_rds_cluster", "aurora", {}), {"master_password_wo": t.const("s3cret!")}),
	t.with_config(t.resource("aws_elasticache_replication_group", "cache", {}), {"auth_token": t.const("abcdefabcdefabcdef")}),
])

test_sec001_fires_on_nested_write_only_and_token_attributes if {
	findings := secrets.deny with input as nested_and_write_only
	attributes := {f.attribute | some f in findings; f.rule == "SEC-001"}
	attributes == {"advanced_security_options[0].master_user_options[0].master_user_password", "master_password_wo", "auth_token"}
}

not_secrets := t.plan_input([t.with_config(t.resource("aws_efs_file_system", "fs", {}), {
	"creation_token": t.const("my-fs"),
	"password_length": t.const("16"),
	"secret_arn": t.const("arn:aws:secretsmanager:us-east-1:1:secret:x"),
})])

test_sec001_quiet_on_lookalike_attributes if {
	findings := secrets.deny with input as not_secrets
	count(findings) == 0
}

# ---------------------------------------------------------------- SEC-002: Lambda

lambda(variables, config) := t.with_config(
	t.resource("aws_lambda_function", "api", {"function_name": "api", "environment": [{"variables": variables}]}),
	object.union({"function_name": t.const("api")}, config),
)

lambda_literal_key := t.plan_input([lambda(
	{"API_KEY": "sk-123", "HOST": "db.internal"},
	{"environment[0].variables": t.const({"API_KEY": "sk-123", "HOST": "db.internal"})},
)])

test_sec002_fires_on_lambda_secret_named_literal if {
	findings := secrets.deny with input as lambda_literal_key
	f := t.only(findings, "SEC-002")
	f.address == "aws_lambda_function.api"
	f.attribute == "environment[0].variables.API_KEY"
	f.message == "aws_lambda_function.api environment[0].variables.API_KEY holds a secret in clear text: the name looks like a secret and the value is a literal"
	not contains(f.message, "sk-123")
}

lambda_referenced := t.plan_input([lambda(
	{"API_KEY": "sk-123", "HOST": "db.internal"},
	{"environment[0].variables": t.reference(["var.api_key"])},
)])

test_sec002_quiet_on_lambda_secret_from_reference if {
	findings := secrets.deny with input as lambda_referenced
	count(findings) == 0
}

lambda_access_key_among_references := t.plan_input([lambda(
	{"AWS_KEY": "AKIAIOSFODNN7EXAMPLE", "DB_HOST": "db.internal"},
	{"environment[0].variables": t.reference(["aws_db_instance.main.address", "aws_db_instance.main"])},
)])

test_sec002_fires_on_credential_shaped_value_even_with_references if {
	findings := secrets.deny with input as lambda_access_key_among_references
	f := t.only(findings, "SEC-002")
	f.attribute == "environment[0].variables.AWS_KEY"
	contains(f.message, "the value looks like an AWS access key id")
	not contains(f.message, "AKIA")
}

lambda_private_key := t.plan_input([lambda(
	{"SIGNING": "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"},
	{"environment[0].variables": t.const({"SIGNING": "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"})},
)])

test_sec002_fires_on_private_key_value if {
	findings := secrets.deny with input as lambda_private_key
	f := t.only(findings, "SEC-002")
	contains(f.message, "a private key")
}

lambda_tokens := t.plan_input([lambda(
	{
		"A": "ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
		"B": "xoxb-123456789012-abcdefghij",
		"C": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"GIT_SHA": "3f786850e387550fdab836ed7e6dc881de23001b",
	},
	{"environment[0].variables": t.reference(["local.env"])},
)])

test_sec002_fires_on_github_slack_and_aws_secret_values if {
	findings := secrets.deny with input as lambda_tokens
	attributes := {f.attribute | some f in findings; f.rule == "SEC-002"}
	attributes == {"environment[0].variables.A", "environment[0].variables.B", "environment[0].variables.C"}
}

lambda_harmless := t.plan_input([lambda(
	{"LOG_LEVEL": "info", "DB_PASSWORD_ARN": "arn:aws:secretsmanager:us-east-1:1:secret:db", "TOKEN_URL": "https://auth.example.com/token", "API_KEY": ""},
	{"environment[0].variables": t.const({"LOG_LEVEL": "info", "DB_PASSWORD_ARN": "arn:aws:secretsmanager:us-east-1:1:secret:db", "TOKEN_URL": "https://auth.example.com/token", "API_KEY": ""})},
)])

test_sec002_quiet_on_pointers_to_secrets_and_empty_values if {
	findings := secrets.deny with input as lambda_harmless
	count(findings) == 0
}

# ---------------------------------------------------------------- SEC-002: ECS

task(definitions) := t.with_config(
	t.resource("aws_ecs_task_definition", "app", {"family": "app", "container_definitions": definitions}),
	{"family": t.const("app")},
)

ecs_password := t.plan_input([task(`[{"name":"web","image":"nginx","environment":[{"name":"DB_PASSWORD","value":"hunter2"},{"name":"PORT","value":"80"}]}]`)])

test_sec002_fires_on_ecs_environment_password if {
	findings := secrets.deny with input as ecs_password
	f := t.only(findings, "SEC-002")
	f.address == "aws_ecs_task_definition.app"
	f.attribute == "container_definitions"
	f.message == "aws_ecs_task_definition.app container_definitions: container web environment variable DB_PASSWORD holds a secret in clear text: the name looks like a secret and the value is a literal"
	contains(f.remediation, "valueFrom")
}

ecs_secrets := t.plan_input([task(`[{"name":"web","image":"nginx","environment":[{"name":"PORT","value":"80"}],"secrets":[{"name":"DB_PASSWORD","valueFrom":"arn:aws:secretsmanager:us-east-1:1:secret:db"}]}]`)])

test_sec002_quiet_on_ecs_secrets_value_from if {
	findings := secrets.deny with input as ecs_secrets
	count(findings) == 0
}

# ---------------------------------------------------------------- SEC-002: SSM

parameter(name, type, value, expression) := t.with_config(
	t.resource("aws_ssm_parameter", "p", {"name": name, "type": type, "value": value, "insecure_value": null}),
	{"name": t.const(name), "type": t.const(type), "value": expression},
)

ssm_access_key := t.plan_input([parameter("/app/aws_access_key", "String", "AKIAIOSFODNN7EXAMPLE", t.const("AKIAIOSFODNN7EXAMPLE"))])

test_sec002_fires_on_ssm_string_holding_access_key if {
	findings := secrets.deny with input as ssm_access_key
	f := t.only(findings, "SEC-002")
	f.address == "aws_ssm_parameter.p"
	f.attribute == "value"
	f.message == "aws_ssm_parameter.p value of parameter /app/aws_access_key (String) holds a secret in clear text: the value looks like an AWS access key id"
	not t.fired(findings, "SEC-001")
}

ssm_host := t.plan_input([parameter("/app/db_host", "String", "host:5432", t.const("host:5432"))])

test_sec002_quiet_on_ssm_string_plain_value if {
	findings := secrets.deny with input as ssm_host
	count(findings) == 0
}

ssm_secure_literal := t.plan_input([parameter("/app/signing", "SecureString", "hunter2", t.const("hunter2"))])

test_sec002_fires_on_secure_string_literal if {
	findings := secrets.deny with input as ssm_secure_literal
	f := t.only(findings, "SEC-002")
	contains(f.message, "a SecureString parameter with a literal value")
}

ssm_secure_variable := t.plan_input([parameter("/app/db-password", "SecureString", "hunter2", t.reference(["var.db_password"]))])

test_sec002_quiet_on_secure_string_from_variable if {
	findings := secrets.deny with input as ssm_secure_variable
	count(findings) == 0
}

ssm_string_password := t.plan_input([parameter("/app/db-password", "String", "hunter2", t.const("hunter2"))])

test_sec002_fires_on_ssm_string_with_secret_name if {
	findings := secrets.deny with input as ssm_string_password
	f := t.only(findings, "SEC-002")
	contains(f.message, "the name looks like a secret")
}
