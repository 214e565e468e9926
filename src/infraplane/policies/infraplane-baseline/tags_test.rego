package infraplane.baseline.tags_test

import rego.v1

import data.infraplane.baseline.lib_test as t
import data.infraplane.baseline.tags

tagged_queue(effective_tags) := t.with_tags(t.resource("aws_sqs_queue", "jobs", {"name": "jobs"}), effective_tags)

untagged := t.plan_input([tagged_queue({})])

test_tag001_fires_on_untagged_resource if {
	findings := tags.deny with input as untagged
	f := t.only(findings, "TAG-001")
	f.address == "aws_sqs_queue.jobs"
	f.attribute == "tags"
	f.message == "aws_sqs_queue.jobs is missing required tag(s) owner, environment, cost-center"
	f.remediation == "Add owner = \"...\", environment = \"...\", cost-center = \"...\" to the resource's tags, or once for every resource in the aws provider's default_tags block."
}

partly_tagged := t.plan_input([tagged_queue({"owner": "payments", "environment": "", "Name": "jobs"})])

test_tag001_lists_only_missing_and_empty_tags if {
	findings := tags.deny with input as partly_tagged
	f := t.only(findings, "TAG-001")
	f.message == "aws_sqs_queue.jobs is missing required tag(s) environment, cost-center"
}

fully_tagged := t.plan_input([tagged_queue(t.good_tags)])

test_tag001_quiet_when_tagged if {
	findings := tags.deny with input as fully_tagged
	count(findings) == 0
}

# A resource with no tags of its own: the provider leaves tags_all unknown.
tags_all_unknown := t.plan_input([t.with_unknown(tagged_queue({"owner": "payments"}), {"tags_all": true})])

test_tag001_fires_when_tags_all_unknown_but_default_tags_known_without_them if {
	findings := tags.deny with input as tags_all_unknown
	f := t.only(findings, "TAG-001")
	f.message == "aws_sqs_queue.jobs is missing required tag(s) environment, cost-center"
}

default_tags_supply := object.union(doc, {"plan": object.union(doc.plan, {"providers": {"aws": {
	"name": "aws", "region": "us-east-1", "default_tags_known": true,
	"default_tags": {"environment": "payments-dev", "cost-center": "cc-42"},
}}})}) if {
	doc := t.plan_input([t.with_unknown(tagged_queue({"owner": "payments"}), {"tags_all": true})])
}

test_tag001_quiet_when_tags_all_unknown_and_default_tags_have_them if {
	findings := tags.deny with input as default_tags_supply
	count(findings) == 0
}

default_tags_unknown := object.union(doc, {"plan": object.union(doc.plan, {"providers": {"aws": {
	"name": "aws", "region": "us-east-1", "default_tags_known": false, "default_tags": {},
}}})}) if {
	doc := t.plan_input([t.with_unknown(tagged_queue({"owner": "payments"}), {"tags_all": true})])
}

test_tag001_quiet_when_tags_all_and_default_tags_unknown if {
	findings := tags.deny with input as default_tags_unknown
	count(findings) == 0
}

# infraplane resolved the effective tags (tags_known) when the provider's default_tags were known...
resolved_without_tags := t.plan_input([object.union(t.with_unknown(tagged_queue({"owner": "payments"}), {"tags_all": true}), {"tags_known": true})])

test_tag001_fires_when_infraplane_resolved_the_tags if {
	findings := tags.deny with input as resolved_without_tags
	f := t.only(findings, "TAG-001")
	f.message == "aws_sqs_queue.jobs is missing required tag(s) environment, cost-center"
}

# ...and says so when it could not.
unresolvable_tags := t.plan_input([object.union(t.with_unknown(tagged_queue({"owner": "payments"}), {"tags_all": true}), {"tags_known": false})])

test_tag001_quiet_when_tags_are_not_known if {
	findings := tags.deny with input as unresolvable_tags
	count(findings) == 0
}

tag_value_unknown := t.plan_input([t.with_unknown(tagged_queue({"owner": "payments", "environment": "dev"}), {"tags": {"cost-center": true}, "tags_all": true})])

test_tag001_quiet_when_a_tag_value_is_unknown if {
	findings := tags.deny with input as tag_value_unknown
	count(findings) == 0
}

not_taggable := t.plan_input([t.resource("aws_s3_bucket_policy", "p", {"policy": "{}"})])

test_tag001_quiet_on_resource_without_tags if {
	findings := tags.deny with input as not_taggable
	count(findings) == 0
}

untagged_deleted := t.plan_input([t.with_actions(tagged_queue({}), ["delete"])])

test_tag001_quiet_on_delete if {
	findings := tags.deny with input as untagged_deleted
	count(findings) == 0
}
