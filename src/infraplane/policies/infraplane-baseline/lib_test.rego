# Test helpers for every *_test.rego of this bundle, and the tests of lib.rego.
#
# Each test names its input document as a rule of its own package (`with input as
# bad_thing`): infraplane's test runner evaluates that rule, sets it as the input
# and queries the test rule, one input per test. The documents are built here.
package infraplane.baseline.lib_test

import rego.v1

import data.infraplane.baseline.lib

# A copy of bundle.yaml's params (the engine merges those into input.params; a
# test input carries them itself). Keep the two the same.
params := {
	"required_tags": ["owner", "environment", "cost-center"],
	"allowed_regions": ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"],
	"instance_classes": {
		"dev": [
			"t3.micro", "t3.small", "t3.medium",
			"db.t3.micro", "db.t3.small", "db.t3.medium", "db.t4g.micro", "db.t4g.small",
			"cache.t3.micro", "cache.t3.small", "cache.t4g.micro",
		],
		"staging": [
			"t3.micro", "t3.small", "t3.medium", "t3.large", "t3.xlarge", "m5.large", "m5.xlarge", "m6i.large", "m6i.xlarge",
			"db.t3.micro", "db.t3.small", "db.t3.medium", "db.t3.large",
			"db.t4g.micro", "db.t4g.small", "db.t4g.medium", "db.t4g.large", "db.m5.large", "db.m6g.large",
			"cache.t3.micro", "cache.t3.small", "cache.t3.medium", "cache.t4g.micro", "cache.t4g.small", "cache.t4g.medium",
			"cache.m5.large", "cache.m6g.large",
		],
	},
	"admin_ports": [22, 3389],
	"database_ports": [1433, 1521, 3306, 5432, 5439, 6379, 9200, 11211, 27017],
}

good_tags := {"owner": "payments", "environment": "payments-dev", "cost-center": "cc-42"}

# A plan-hook document for a dev environment holding `resources`.
plan_input(resources) := {
	"hook": "plan",
	"environment": {"name": "payments-dev", "team": "payments", "tier": "dev", "owner": "payments"},
	"component": {"name": "app", "blueprint": "app", "version": "1.0.0"},
	"params": params,
	"plan": {
		"terraform_version": "1.11.4",
		"providers": {"aws": {"name": "aws", "region": "us-east-1", "default_tags": {}, "default_tags_known": true}},
		"resource_changes": resources,
		"output_changes": {},
		"resource_drift": [],
	},
}

# The same in another tier. (regopy's object.union is shallow: nested objects are
# replaced, not merged, so every helper merges one level at a time.)
tier_input(tier, resources) := object.union(doc, {"environment": object.union(doc.environment, {"tier": tier})}) if {
	doc := plan_input(resources)
}

# The same with the aws provider in another region.
region_input(region, resources) := object.union(doc, {"plan": object.union(doc.plan, {"providers": {"aws": provider}})}) if {
	doc := plan_input(resources)
	provider := object.union(doc.plan.providers.aws, {"region": region})
}

# A managed resource being created, as infraplane normalizes it; taggable ones carry good tags.
resource(type, name, after) := {
	"address": concat(".", [type, name]),
	"module_address": "",
	"mode": "managed",
	"type": type,
	"name": name,
	"provider": "registry.terraform.io/hashicorp/aws",
	"actions": ["create"],
	"before": null,
	"after": after,
	"after_unknown": {},
	"sensitive_paths": [],
	"config": {},
	"taggable": false,
	"tags": null,
}

# `rc` with some planned values changed.
with_after(rc, changes) := object.union(rc, {"after": object.union(rc.after, changes)})

with_config(rc, config) := object.union(rc, {"config": config})

with_unknown(rc, after_unknown) := object.union(rc, {"after_unknown": after_unknown})

with_actions(rc, actions) := object.union(rc, {"actions": actions})

with_tags(rc, tags) := object.union(rc, {"taggable": true, "tags": tags})

const(value) := {"constant": true, "value": value}

reference(refs) := {"constant": false, "references": refs}

# A finding set has at least one finding of `rule`.
fired(findings, rule) if {
	some f in findings
	f.rule == rule
}

# The one finding of `rule` (fails the test when there are several or none).
only(findings, rule) := f if {
	matching := [x | some x in findings; x.rule == rule]
	count(matching) == 1
	f := matching[0]
}

# ---------------------------------------------------------------- tests of lib

test_changing_create_update_and_replace if {
	lib.changing(resource("aws_sqs_queue", "q", {}))
	lib.changing(with_actions(resource("aws_sqs_queue", "q", {}), ["update"]))
	lib.changing(with_actions(resource("aws_sqs_queue", "q", {}), ["delete", "create"]))
}

test_changing_not_delete_noop_or_data if {
	not lib.changing(with_actions(resource("aws_sqs_queue", "q", {}), ["delete"]))
	not lib.changing(with_actions(resource("aws_sqs_queue", "q", {}), ["no-op"]))
	not lib.changing(object.union(resource("aws_sqs_queue", "q", {}), {"mode": "data"}))
}

test_off_false_string_and_unset if {
	rc := resource("aws_x", "a", {"a": false, "b": "false", "c": null, "d": true})
	lib.off(rc, "a")
	lib.off(rc, "b")
	lib.off(rc, "c")
	not lib.off(rc, "d")
	not lib.off(rc, "missing")
}

test_off_not_when_unknown if {
	rc := with_unknown(resource("aws_x", "a", {"a": null}), {"a": true})
	not lib.off(rc, "a")
}

test_unset_needs_a_known_configuration if {
	rc := with_config(resource("aws_x", "a", {}), {"name": const("a"), "rule[0].x": const(1)})
	lib.unset(rc, "multi_az")
	not lib.unset(rc, "rule")
	not lib.unset(resource("aws_x", "a", {}), "multi_az")
}

test_refers_to_matches_module_relative_references if {
	bucket := object.union(resource("aws_s3_bucket", "b", {}), {"address": "module.data.aws_s3_bucket.b[0]", "module_address": "module.data"})
	sse := object.union(
		with_config(resource("aws_s3_bucket_server_side_encryption_configuration", "b", {}), {"bucket": reference(["aws_s3_bucket.b[0].id", "aws_s3_bucket.b"])}),
		{"module_address": "module.data"},
	)
	lib.refers_to(sse, "bucket", bucket)
	not lib.refers_to(with_config(sse, {"bucket": reference(["aws_s3_bucket.bb"])}), "bucket", bucket)
}

test_public_statement_forms if {
	lib.public_statement({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"})
	lib.public_statement({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject"})
	lib.public_statement({"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::1:root", "*"]}, "Action": "s3:GetObject"})
}

test_public_statement_not_deny_named_or_conditioned if {
	not lib.public_statement({"Effect": "Deny", "Principal": "*", "Action": "s3:*"})
	not lib.public_statement({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:*"})
	not lib.public_statement({
		"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
		"Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:1:t"}},
	})
}

test_public_statement_wildcard_condition_is_no_restriction if {
	lib.public_statement({
		"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
		"Condition": {"StringLike": {"aws:PrincipalArn": "*"}},
	})
}

test_statements_object_or_list_and_invalid if {
	count(lib.statements(`{"Statement": {"Effect": "Allow"}}`)) == 1
	count(lib.statements(`{"Statement": [{"Effect": "Allow"}, {"Effect": "Deny"}]}`)) == 2
	not lib.statements(null)
}

test_prod_tier if {
	lib.prod with input as prod_environment
}

prod_environment := {"environment": {"tier": "prod"}}
