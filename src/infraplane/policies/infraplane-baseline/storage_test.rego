package infraplane.baseline.storage_test

import rego.v1

import data.infraplane.baseline.lib_test as t
import data.infraplane.baseline.storage

# ---------------------------------------------------------------- STO-001

block(acls, policy, ignore, restrict) := t.resource("aws_s3_bucket_public_access_block", "data", {
	"bucket": "data", "block_public_acls": acls, "block_public_policy": policy,
	"ignore_public_acls": ignore, "restrict_public_buckets": restrict,
})

policy_not_blocked := t.plan_input([block(true, false, true, true)])

test_sto001_fires_on_block_public_policy_false if {
	findings := storage.deny with input as policy_not_blocked
	f := t.only(findings, "STO-001")
	f.address == "aws_s3_bucket_public_access_block.data"
	f.attribute == "block_public_policy"
	f.message == "aws_s3_bucket_public_access_block.data block_public_policy is false: the bucket can be made public"
	f.remediation == "Set block_public_policy = true (all four settings of the public access block should be true)."
}

acls_unset := t.plan_input([block(null, true, true, true)])

test_sto001_fires_on_unset_setting if {
	findings := storage.deny with input as acls_unset
	f := t.only(findings, "STO-001")
	f.attribute == "block_public_acls"
	contains(f.message, "not set")
}

all_blocked := t.plan_input([block(true, true, true, true)])

test_sto001_quiet_when_all_true if {
	findings := storage.deny with input as all_blocked
	count(findings) == 0
}

# ---------------------------------------------------------------- STO-002

bucket_policy(document) := t.resource("aws_s3_bucket_policy", "site", {"bucket": "site", "policy": document})

public_read := t.plan_input([bucket_policy(`{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}]}`)])

test_sto002_fires_on_principal_star if {
	findings := storage.deny with input as public_read
	f := t.only(findings, "STO-002")
	f.address == "aws_s3_bucket_policy.site"
	f.attribute == "policy"
	f.message == "aws_s3_bucket_policy.site policy Statement[0] allows Principal \"*\" to s3:GetObject: the bucket is public"
}

public_aws_list := t.plan_input([bucket_policy(`{"Statement":{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}}`)])

test_sto002_fires_on_aws_star_list_and_single_statement if {
	findings := storage.deny with input as public_aws_list
	f := t.only(findings, "STO-002")
	contains(f.message, "s3:GetObject, s3:ListBucket")
}

account_read := t.plan_input([bucket_policy(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::site/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)])

test_sto002_quiet_on_named_principal_and_deny_star if {
	findings := storage.deny with input as account_read
	count(findings) == 0
}

vpce_read := t.plan_input([bucket_policy(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c"}}}]}`)])

test_sto002_quiet_when_condition_pins_a_vpc_endpoint if {
	findings := storage.deny with input as vpce_read
	count(findings) == 0
}

unknown_policy := t.plan_input([t.with_unknown(t.resource("aws_s3_bucket_policy", "site", {}), {"policy": true})])

test_sto002_quiet_when_policy_unknown if {
	findings := storage.deny with input as unknown_policy
	count(findings) == 0
}

public_acl := t.plan_input([t.resource("aws_s3_bucket_acl", "site", {"bucket": "site", "acl": "public-read"})])

test_sto002_fires_on_public_canned_acl if {
	findings := storage.deny with input as public_acl
	f := t.only(findings, "STO-002")
	f.attribute == "acl"
	f.message == "aws_s3_bucket_acl.site acl is the public canned ACL \"public-read\""
}

private_acl := t.plan_input([t.resource("aws_s3_bucket_acl", "site", {"bucket": "site", "acl": "private"})])

test_sto002_quiet_on_private_acl if {
	findings := storage.deny with input as private_acl
	count(findings) == 0
}

bucket_acl := t.plan_input([t.resource("aws_s3_bucket", "old", {"bucket": "old", "acl": "authenticated-read"})])

test_sto002_fires_on_bucket_acl_attribute if {
	findings := storage.deny with input as bucket_acl
	f := t.only(findings, "STO-002")
	f.address == "aws_s3_bucket.old"
}

acl_grant(uri) := t.resource("aws_s3_bucket_acl", "grants", {"bucket": "site", "acl": null, "access_control_policy": [{
	"grant": [{"grantee": [{"type": "Group", "uri": uri, "id": "", "email_address": ""}], "permission": "READ"}],
	"owner": [{"id": "abc"}],
}]})

all_users_grant := t.plan_input([acl_grant("http://acs.amazonaws.com/groups/global/AllUsers")])

test_sto002_fires_on_all_users_grant if {
	findings := storage.deny with input as all_users_grant
	f := t.only(findings, "STO-002")
	f.attribute == "access_control_policy[0].grant[0].grantee[0].uri"
	contains(f.message, "grants READ to the group http://acs.amazonaws.com/groups/global/AllUsers")
}

log_delivery_grant := t.plan_input([acl_grant("http://acs.amazonaws.com/groups/s3/LogDelivery")])

test_sto002_quiet_on_log_delivery_grant if {
	findings := storage.deny with input as log_delivery_grant
	count(findings) == 0
}
