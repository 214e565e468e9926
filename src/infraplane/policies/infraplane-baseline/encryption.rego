# ENC-001 (deny): data stores left unencrypted at rest.
# ENC-002 (deny for ElastiCache, warn for load balancer listeners): unencrypted in transit.
# ENC-003 (warn): an S3 bucket with no encryption configuration of its own.
#
# A setting whose value is unknown at plan time is never a finding. A setting left
# out of the configuration is judged by AWS's default for it: off for
# aws_db_instance.storage_encrypted and (provisioned) aws_rds_cluster.storage_encrypted;
# unknowable for EBS (the account may encrypt new volumes by default), SQS (SSE-SQS
# is on unless turned off) and ElastiCache (the default depends on the engine).
package infraplane.baseline.encryption

import rego.v1

import data.infraplane.baseline.lib

# ---------------------------------------------------------------- ENC-001

deny contains finding if {
	some position in lib.positions({"aws_db_instance"})
	rc := input.plan.resource_changes[position]
	lib.off(rc, "storage_encrypted")
	not inherits_encryption(rc)
	finding := unencrypted(rc, "storage_encrypted", lib.shown_off(rc, "storage_encrypted"), "Set storage_encrypted = true (and kms_key_id to a customer-managed key if you need control over the key).")
}

deny contains finding if {
	some position in lib.positions({"aws_rds_cluster"})
	rc := input.plan.resource_changes[position]
	lib.off(rc, "storage_encrypted")
	finding := unencrypted(rc, "storage_encrypted", lib.shown_off(rc, "storage_encrypted"), "Set storage_encrypted = true (and kms_key_id to a customer-managed key if you need control over the key).")
}

# storage_encrypted is computed for clusters, so unset shows as unknown; a
# provisioned cluster created without it (and not from an encrypted source) is unencrypted.
deny contains finding if {
	some position in lib.positions({"aws_rds_cluster"})
	rc := input.plan.resource_changes[position]
	lib.unknown(rc, "storage_encrypted")
	lib.unset(rc, "storage_encrypted")
	object.get(rc.after, "engine_mode", "provisioned") != "serverless"
	not inherits_encryption(rc)
	not lib.present(object.get(rc.after, "kms_key_id", null))
	finding := unencrypted(rc, "storage_encrypted", "not set (provisioned clusters default to unencrypted)", "Set storage_encrypted = true (and kms_key_id to a customer-managed key if you need control over the key).")
}

deny contains finding if {
	some position in lib.positions({"aws_ebs_volume"})
	rc := input.plan.resource_changes[position]
	lib.is_false(rc.after.encrypted)
	finding := unencrypted(rc, "encrypted", "false", "Set encrypted = true (or turn on EBS encryption by default for the account and drop encrypted = false).")
}

deny contains finding if {
	some rc in sse_off_queues
	not lib.present(object.get(rc.after, "kms_master_key_id", null))
	not lib.unknown(rc, "kms_master_key_id")
	finding := unencrypted(rc, "sqs_managed_sse_enabled", "false and kms_master_key_id is not set", "Set sqs_managed_sse_enabled = true, or kms_master_key_id to a KMS key (e.g. alias/aws/sqs).")
}

# lib.off(rc, "sqs_managed_sse_enabled") of every queue, in a comprehension that keeps
# the few with encryption off: a plan may hold thousands of queues.
sse_off_queues := [rc |
	some position in lib.positions({"aws_sqs_queue"})
	rc := input.plan.resource_changes[position]
	lib.setting_off(rc.after.sqs_managed_sse_enabled, object.get(rc, ["after_unknown", "sqs_managed_sse_enabled"], false))
]

deny contains finding if {
	some position in lib.positions({"aws_elasticache_replication_group"})
	rc := input.plan.resource_changes[position]
	lib.is_false(rc.after.at_rest_encryption_enabled)
	finding := unencrypted(rc, "at_rest_encryption_enabled", "false", "Set at_rest_encryption_enabled = true (and kms_key_id for a customer-managed key); for an existing group this replaces it.")
}

unencrypted(rc, attribute, value, remediation) := lib.finding(
	"ENC-001", rc, attribute,
	lib.join([rc.address, " ", attribute, " is ", value, ": data is stored unencrypted"]),
	remediation,
)

# A DB restored from a snapshot or replicating another takes its source's encryption.
inherits_encryption(rc) if {
	some attribute in ["replicate_source_db", "snapshot_identifier", "replication_source_identifier"]
	lib.present(object.get(rc.after, attribute, null))
}

inherits_encryption(rc) if count(object.get(rc.after, "restore_to_point_in_time", [])) > 0

inherits_encryption(rc) if count(object.get(rc.after, "s3_import", [])) > 0

# ---------------------------------------------------------------- ENC-002

deny contains finding if {
	some position in lib.positions({"aws_elasticache_replication_group"})
	rc := input.plan.resource_changes[position]
	lib.is_false(rc.after.transit_encryption_enabled)
	finding := lib.finding(
		"ENC-002", rc, "transit_encryption_enabled",
		lib.join([rc.address, " transit_encryption_enabled is false: clients talk to the cache in clear text"]),
		"Set transit_encryption_enabled = true (with transit_encryption_mode = \"preferred\" first if clients must move over), and connect with TLS.",
	)
}

# A warning, not a deny: an internal load balancer may serve plain HTTP on purpose
# (TLS ends elsewhere, or inside a private network), and the listener alone does not
# tell an internal load balancer from an internet-facing one.
warn contains finding if {
	some position in lib.positions({"aws_lb_listener", "aws_alb_listener"})
	rc := input.plan.resource_changes[position]
	upper(rc.after.protocol) == "HTTP"
	not redirects_to_https(rc)
	finding := lib.finding(
		"ENC-002", rc, "protocol",
		lib.join([rc.address, " protocol is HTTP on port ", rc.after.port, " and default_action does not redirect to HTTPS"]),
		"Listen with protocol = \"HTTPS\" and a certificate_arn, or make default_action a redirect { protocol = \"HTTPS\", port = \"443\", status_code = \"HTTP_301\" }.",
	)
}

redirects_to_https(rc) if {
	some action in rc.after.default_action
	action.type == "redirect"
	some redirect in action.redirect
	upper(redirect.protocol) == "HTTPS"
}

# ---------------------------------------------------------------- ENC-003

# S3 encrypts every new object with SSE-S3 since 2023, so a bucket without its own
# configuration is encrypted, with AWS-owned keys: worth a look, not a block.
warn contains finding if {
	some position in lib.positions({"aws_s3_bucket"})
	bucket := input.plan.resource_changes[position]
	not has_encryption_configuration(bucket)
	finding := lib.finding(
		"ENC-003", bucket, "server_side_encryption_configuration",
		lib.join([bucket.address, " has no aws_s3_bucket_server_side_encryption_configuration in this plan: objects get SSE-S3 with AWS-managed keys"]),
		"Add an aws_s3_bucket_server_side_encryption_configuration for the bucket (sse_algorithm = \"aws:kms\" with a customer-managed kms_master_key_id when you need control over the key).",
	)
}

# Computed once per evaluation, so each bucket is a set look-up, not a scan of every
# configuration (a plan with hundreds of buckets stays fast).
encrypted_bucket_addresses contains key if {
	some position in lib.remaining_positions({"aws_s3_bucket_server_side_encryption_configuration"})
	sse := input.plan.resource_changes[position]
	some ref in object.get(sse, ["config", "bucket", "references"], [])
	# Only a reference to a bucket can give a bucket's key (`count.index`, `var.x` cannot).
	startswith(ref, "aws_s3_bucket.")
	parts := split(ref, ".")
	count(parts) >= 2
	key := concat("", [object.get(sse, "module_address", ""), "|", parts[0], ".", split(parts[1], "[")[0]])
}

encrypted_bucket_names contains name if {
	some position in lib.remaining_positions({"aws_s3_bucket_server_side_encryption_configuration"})
	name := input.plan.resource_changes[position].after.bucket
	lib.present(name)
}

has_encryption_configuration(bucket) if {
	key := concat("", [object.get(bucket, "module_address", ""), "|", lib.config_address(bucket)])
	encrypted_bucket_addresses[key]
}

# Configurations naming the bucket literally rather than by reference.
has_encryption_configuration(bucket) if {
	name := object.get(bucket.after, "bucket", null)
	lib.present(name)
	encrypted_bucket_names[name]
}

# The deprecated inline block of aws_s3_bucket.
has_encryption_configuration(bucket) if count(object.get(bucket.after, "server_side_encryption_configuration", [])) > 0
