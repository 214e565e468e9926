package infraplane.baseline.governance_test

import rego.v1

import data.infraplane.baseline.governance
import data.infraplane.baseline.lib_test as t

# ---------------------------------------------------------------- GOV-001

mumbai := t.region_input("ap-south-1", [])

test_gov001_fires_on_region_outside_allow_list if {
	findings := governance.deny with input as mumbai
	f := t.only(findings, "GOV-001")
	f.address == "provider.aws"
	f.attribute == "region"
	f.message == "provider.aws region is ap-south-1, outside the allowed regions (us-east-1, us-east-2, us-west-2, eu-west-1, eu-central-1)"
}

frankfurt := t.region_input("eu-central-1", [])

test_gov001_quiet_on_allowed_region if {
	findings := governance.deny with input as frankfurt
	count(findings) == 0
}

aliased_and_unknown := object.union(doc, {"plan": object.union(doc.plan, {"providers": {
	"aws.replica": {"name": "aws", "region": "sa-east-1", "default_tags": {}, "default_tags_known": true},
	"aws": {"name": "aws", "default_tags": {}, "default_tags_known": true},
}})}) if {
	doc := t.plan_input([])
}

test_gov001_fires_on_aliased_provider_only_when_region_known if {
	findings := governance.deny with input as aliased_and_unknown
	f := t.only(findings, "GOV-001")
	f.address == "provider.aws.replica"
}

# ---------------------------------------------------------------- GOV-002

instance(type) := t.resource("aws_instance", "worker", {"ami": "ami-1", "instance_type": type})

big_in_dev := t.plan_input([instance("m5.4xlarge")])

test_gov002_fires_on_instance_type_outside_dev_list if {
	findings := governance.deny with input as big_in_dev
	f := t.only(findings, "GOV-002")
	f.address == "aws_instance.worker"
	f.attribute == "instance_type"
	f.message == "aws_instance.worker instance_type is m5.4xlarge, not allowed in the dev tier"
	startswith(f.remediation, "Use a size the dev tier allows: t3.micro, t3.small, t3.medium;")
}

small_in_dev := t.plan_input([instance("t3.micro")])

test_gov002_quiet_on_allowed_instance_type if {
	findings := governance.deny with input as small_in_dev
	count(findings) == 0
}

big_in_prod := t.tier_input("prod", [instance("m5.4xlarge")])

test_gov002_quiet_in_tier_without_list if {
	findings := governance.deny with input as big_in_prod
	count(findings) == 0
}

classes_in_staging := t.tier_input("staging", [
	t.resource("aws_db_instance", "db", {"instance_class": "db.r6g.2xlarge"}),
	t.resource("aws_rds_cluster_instance", "aurora", {"instance_class": "db.m5.large"}),
	t.resource("aws_elasticache_replication_group", "cache", {"node_type": "cache.r6g.xlarge"}),
	t.resource("aws_elasticache_cluster", "memcached", {"node_type": "cache.t3.small"}),
	t.resource("aws_launch_template", "lt", {"instance_type": null}),
])

test_gov002_checks_db_and_cache_classes if {
	findings := governance.deny with input as classes_in_staging
	{f.address | some f in findings; f.rule == "GOV-002"} == {"aws_db_instance.db", "aws_elasticache_replication_group.cache"}
	some f in findings
	f.address == "aws_db_instance.db"
	contains(f.remediation, "db.t3.micro")
	not contains(f.remediation, "cache.")
}
