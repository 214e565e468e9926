package infraplane.baseline.encryption_test

import rego.v1

import data.infraplane.baseline.encryption
import data.infraplane.baseline.lib_test as t

encrypted_db(storage_encrypted) := t.with_config(
	t.resource("aws_db_instance", "main", {
		"identifier": "main", "instance_class": "db.t3.micro", "storage_encrypted": storage_encrypted,
		"replicate_source_db": null, "snapshot_identifier": null, "restore_to_point_in_time": [], "s3_import": [],
	}),
	{"identifier": t.const("main"), "instance_class": t.const("db.t3.micro")},
)

# ---------------------------------------------------------------- ENC-001

db_unencrypted := t.plan_input([encrypted_db(false)])

test_enc001_fires_on_db_storage_encrypted_false if {
	findings := encryption.deny with input as db_unencrypted
	f := t.only(findings, "ENC-001")
	f.address == "aws_db_instance.main"
	f.attribute == "storage_encrypted"
	f.message == "aws_db_instance.main storage_encrypted is false: data is stored unencrypted"
	contains(f.remediation, "storage_encrypted = true")
}

db_unset := t.plan_input([encrypted_db(null)])

test_enc001_fires_on_db_storage_encrypted_unset if {
	findings := encryption.deny with input as db_unset
	f := t.only(findings, "ENC-001")
	contains(f.message, "not set")
}

db_encrypted := t.plan_input([encrypted_db(true)])

test_enc001_quiet_on_encrypted_db if {
	findings := encryption.deny with input as db_encrypted
	count(findings) == 0
}

db_replica := t.plan_input([t.with_after(encrypted_db(null), {"replicate_source_db": "main-primary"})])

test_enc001_quiet_on_unset_replica if {
	findings := encryption.deny with input as db_replica
	count(findings) == 0
}

aurora_cluster(after, config) := t.with_config(t.resource("aws_rds_cluster", "aurora", after), config)

cluster_false := t.plan_input([aurora_cluster({"engine": "aurora-postgresql", "engine_mode": "provisioned", "storage_encrypted": false}, {"engine": t.const("aurora-postgresql"), "storage_encrypted": t.const(false)})])

test_enc001_fires_on_cluster_false if {
	findings := encryption.deny with input as cluster_false
	f := t.only(findings, "ENC-001")
	f.address == "aws_rds_cluster.aurora"
}

cluster_unset := t.plan_input([t.with_unknown(
	aurora_cluster({"engine": "aurora-postgresql", "engine_mode": "provisioned", "kms_key_id": null}, {"engine": t.const("aurora-postgresql")}),
	{"storage_encrypted": true, "kms_key_id": true},
)])

test_enc001_fires_on_provisioned_cluster_left_unset if {
	findings := encryption.deny with input as cluster_unset
	f := t.only(findings, "ENC-001")
	contains(f.message, "provisioned clusters default to unencrypted")
}

cluster_from_reference := t.plan_input([t.with_unknown(
	aurora_cluster({"engine": "aurora-postgresql", "engine_mode": "provisioned"}, {"engine": t.const("aurora-postgresql"), "storage_encrypted": t.reference(["var.encrypted"])}),
	{"storage_encrypted": true},
)])

test_enc001_quiet_on_cluster_setting_unknown_but_configured if {
	findings := encryption.deny with input as cluster_from_reference
	count(findings) == 0
}

ebs_volume(encrypted) := t.resource("aws_ebs_volume", "data", {"availability_zone": "us-east-1a", "size": 10, "encrypted": encrypted})

volume_plain := t.plan_input([ebs_volume(false)])

test_enc001_fires_on_ebs_encrypted_false if {
	findings := encryption.deny with input as volume_plain
	f := t.only(findings, "ENC-001")
	f.attribute == "encrypted"
}

volume_encrypted := t.plan_input([ebs_volume(true)])

test_enc001_quiet_on_ebs_encrypted if {
	findings := encryption.deny with input as volume_encrypted
	count(findings) == 0
}

volume_account_default := t.plan_input([t.with_unknown(t.resource("aws_ebs_volume", "data", {"size": 10}), {"encrypted": true})])

test_enc001_quiet_on_ebs_left_to_account_default if {
	findings := encryption.deny with input as volume_account_default
	count(findings) == 0
}

sse_queue(sse, key) := t.resource("aws_sqs_queue", "jobs", {"name": "jobs", "sqs_managed_sse_enabled": sse, "kms_master_key_id": key})

queue_plain := t.plan_input([sse_queue(false, null)])

test_enc001_fires_on_queue_without_sse if {
	findings := encryption.deny with input as queue_plain
	f := t.only(findings, "ENC-001")
	f.attribute == "sqs_managed_sse_enabled"
	f.message == "aws_sqs_queue.jobs sqs_managed_sse_enabled is false and kms_master_key_id is not set: data is stored unencrypted"
}

queue_kms := t.plan_input([sse_queue(false, "alias/aws/sqs")])

test_enc001_quiet_on_queue_with_kms_key if {
	findings := encryption.deny with input as queue_kms
	count(findings) == 0
}

queue_sse := t.plan_input([sse_queue(true, null)])

test_enc001_quiet_on_queue_with_sse if {
	findings := encryption.deny with input as queue_sse
	count(findings) == 0
}

cache_group(at_rest, transit) := t.resource("aws_elasticache_replication_group", "cache", {
	"replication_group_id": "cache", "node_type": "cache.t3.micro",
	"at_rest_encryption_enabled": at_rest, "transit_encryption_enabled": transit,
})

# The provider keeps at_rest_encryption_enabled as a string.
cache_at_rest_off := t.plan_input([cache_group("false", true)])

test_enc001_fires_on_cache_at_rest_false if {
	findings := encryption.deny with input as cache_at_rest_off
	f := t.only(findings, "ENC-001")
	f.attribute == "at_rest_encryption_enabled"
	not t.fired(findings, "ENC-002")
}

cache_encrypted := t.plan_input([cache_group("true", true)])

test_enc001_enc002_quiet_on_encrypted_cache if {
	findings := encryption.deny with input as cache_encrypted
	count(findings) == 0
}

# ---------------------------------------------------------------- ENC-002

cache_transit_off := t.plan_input([cache_group("true", false)])

test_enc002_fires_on_cache_transit_false if {
	findings := encryption.deny with input as cache_transit_off
	f := t.only(findings, "ENC-002")
	f.attribute == "transit_encryption_enabled"
	not t.fired(findings, "ENC-001")
}

lb_listener(protocol, actions) := t.resource("aws_lb_listener", "front", {"port": 80, "protocol": protocol, "default_action": actions})

forward := {"type": "forward", "target_group_arn": "arn:tg", "redirect": []}

https_redirect := {"type": "redirect", "redirect": [{"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}]}

plain_listener := t.plan_input([lb_listener("HTTP", [forward])])

test_enc002_warns_on_http_listener if {
	warnings := encryption.warn with input as plain_listener
	f := t.only(warnings, "ENC-002")
	f.address == "aws_lb_listener.front"
	f.attribute == "protocol"
	f.message == "aws_lb_listener.front protocol is HTTP on port 80 and default_action does not redirect to HTTPS"
}

redirect_listener := t.plan_input([lb_listener("HTTP", [https_redirect])])

test_enc002_quiet_on_redirect_to_https if {
	warnings := encryption.warn with input as redirect_listener
	not t.fired(warnings, "ENC-002")
}

https_listener := t.plan_input([lb_listener("HTTPS", [forward])])

test_enc002_quiet_on_https_listener if {
	warnings := encryption.warn with input as https_listener
	not t.fired(warnings, "ENC-002")
}

test_enc002_listener_is_never_a_deny if {
	findings := encryption.deny with input as plain_listener
	count(findings) == 0
}

# ---------------------------------------------------------------- ENC-003

bucket := t.resource("aws_s3_bucket", "data", {"bucket": "data"})

sse_by_reference := t.with_config(
	t.resource("aws_s3_bucket_server_side_encryption_configuration", "data", {"rule": []}),
	{"bucket": t.reference(["aws_s3_bucket.data.id", "aws_s3_bucket.data"])},
)

bare_bucket := t.plan_input([bucket])

test_enc003_warns_on_bucket_without_configuration if {
	warnings := encryption.warn with input as bare_bucket
	f := t.only(warnings, "ENC-003")
	f.address == "aws_s3_bucket.data"
	contains(f.message, "SSE-S3")
}

test_enc003_is_never_a_deny if {
	findings := encryption.deny with input as bare_bucket
	count(findings) == 0
}

bucket_with_sse := t.plan_input([bucket, sse_by_reference])

test_enc003_quiet_with_configuration_by_reference if {
	warnings := encryption.warn with input as bucket_with_sse
	not t.fired(warnings, "ENC-003")
}

bucket_with_unchanged_sse := t.plan_input([bucket, t.with_actions(sse_by_reference, ["no-op"])])

test_enc003_quiet_with_unchanged_configuration if {
	warnings := encryption.warn with input as bucket_with_unchanged_sse
	not t.fired(warnings, "ENC-003")
}

bucket_with_sse_by_name := t.plan_input([bucket, t.resource("aws_s3_bucket_server_side_encryption_configuration", "named", {"bucket": "data"})])

test_enc003_quiet_with_configuration_by_name if {
	warnings := encryption.warn with input as bucket_with_sse_by_name
	not t.fired(warnings, "ENC-003")
}

bucket_with_other_sse := t.plan_input([
	bucket,
	t.with_config(t.resource("aws_s3_bucket_server_side_encryption_configuration", "logs", {}), {"bucket": t.reference(["aws_s3_bucket.logs.id", "aws_s3_bucket.logs"])}),
])

test_enc003_warns_when_configuration_is_for_another_bucket if {
	warnings := encryption.warn with input as bucket_with_other_sse
	t.only(warnings, "ENC-003")
}

bucket_with_deleted_sse := t.plan_input([bucket, t.with_actions(sse_by_reference, ["delete"])])

test_enc003_warns_when_configuration_is_deleted if {
	warnings := encryption.warn with input as bucket_with_deleted_sse
	t.only(warnings, "ENC-003")
}
