# STO-001, STO-002: S3 buckets that can be made or are made public.
#
# STO-002 judges intent: a public policy, canned ACL or grant is denied even when a
# public access block in the same account would neutralize it, because the
# configuration then says one thing and AWS does another.
package infraplane.baseline.storage

import rego.v1

import data.infraplane.baseline.lib

public_access_settings := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

public_canned_acls := {"public-read", "public-read-write", "authenticated-read"}

public_group_uris := {
	"http://acs.amazonaws.com/groups/global/AllUsers",
	"http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}

# ---------------------------------------------------------------- STO-001

# An unset setting is false in AWS, so it is as bad as an explicit false.
deny contains finding if {
	some position in lib.positions({"aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"})
	rc := input.plan.resource_changes[position]
	some setting in public_access_settings
	lib.off(rc, setting)
	finding := lib.finding(
		"STO-001", rc, setting,
		lib.join([rc.address, " ", setting, " is ", lib.shown_off(rc, setting), ": the bucket can be made public"]),
		lib.join(["Set ", setting, " = true (all four settings of the public access block should be true)."]),
	)
}

# ---------------------------------------------------------------- STO-002

deny contains finding if {
	some position in lib.positions({"aws_s3_bucket_policy", "aws_s3_bucket"})
	rc := input.plan.resource_changes[position]
	some i, statement in lib.statements(rc.after.policy)
	lib.public_statement(statement)
	finding := lib.finding(
		"STO-002", rc, "policy",
		lib.join([
			rc.address, " policy Statement[", i, "] allows Principal \"*\" to ",
			lib.shown_actions(statement), ": the bucket is public",
		]),
		concat("", [
			"Name the principals that need access (account or role ARNs) instead of \"*\", or add a Condition on ",
			"aws:SourceVpce / aws:PrincipalOrgID; serve public content through CloudFront with origin access control.",
		]),
	)
}

deny contains finding if {
	some position in lib.positions({"aws_s3_bucket_acl", "aws_s3_bucket"})
	rc := input.plan.resource_changes[position]
	acl := rc.after.acl
	acl in public_canned_acls
	finding := lib.finding(
		"STO-002", rc, "acl",
		lib.join([rc.address, " acl is the public canned ACL \"", acl, "\""]),
		"Set acl = \"private\" (or drop the ACL and set object_ownership = \"BucketOwnerEnforced\"); grant access through a bucket policy naming the principals.",
	)
}

deny contains finding if {
	some position in lib.positions({"aws_s3_bucket_acl"})
	rc := input.plan.resource_changes[position]
	some i, policy in rc.after.access_control_policy
	some j, grant in policy.grant
	some k, grantee in grant.grantee
	grantee.uri in public_group_uris
	attribute := lib.join(["access_control_policy[", i, "].grant[", j, "].grantee[", k, "].uri"])
	finding := lib.finding(
		"STO-002", rc, attribute,
		lib.join([rc.address, " ", attribute, " grants ", grant.permission, " to the group ", grantee.uri]),
		"Remove the grant to AllUsers/AuthenticatedUsers; grant access to named accounts or through a bucket policy.",
	)
}

# The deprecated inline `grant` blocks of aws_s3_bucket.
deny contains finding if {
	some position in lib.positions({"aws_s3_bucket"})
	rc := input.plan.resource_changes[position]
	some i, grant in rc.after.grant
	grant.uri in public_group_uris
	attribute := lib.join(["grant[", i, "].uri"])
	finding := lib.finding(
		"STO-002", rc, attribute,
		lib.join([rc.address, " ", attribute, " grants ", lib.text(grant.permissions), " to the group ", grant.uri]),
		"Remove the grant to AllUsers/AuthenticatedUsers; grant access to named accounts or through a bucket policy.",
	)
}
