package infraplane.baseline.resilience_test

import rego.v1

import data.infraplane.baseline.lib_test as t
import data.infraplane.baseline.resilience

settings := {"multi_az": true, "backup_retention_period": 7, "deletion_protection": true, "replicate_source_db": null}

configured_settings := {
	"identifier": t.const("main"),
	"multi_az": t.const(true),
	"backup_retention_period": t.const(7),
	"deletion_protection": t.const(true),
}

# A production-ready instance with `changes` applied to its planned values.
prod_db(changes) := t.with_config(t.resource("aws_db_instance", "main", object.union(settings, changes)), configured_settings)

good_prod := t.tier_input("prod", [prod_db({})])

test_res_quiet_on_production_ready_db if {
	findings := resilience.deny with input as good_prod
	count(findings) == 0
}

# ---------------------------------------------------------------- RES-001

single_az_prod := t.tier_input("prod", [prod_db({"multi_az": false})])

test_res001_fires_on_single_az_in_prod if {
	findings := resilience.deny with input as single_az_prod
	f := t.only(findings, "RES-001")
	f.address == "aws_db_instance.main"
	f.attribute == "multi_az"
	f.message == "aws_db_instance.main multi_az is false: a production database on one availability zone goes down with it"
	f.remediation == "Set multi_az = true."
}

single_az_staging := t.tier_input("staging", [prod_db({"multi_az": false})])

test_res001_quiet_outside_prod if {
	findings := resilience.deny with input as single_az_staging
	count(findings) == 0
}

multi_az_unset := t.tier_input("prod", [t.with_unknown(
	t.with_config(t.resource("aws_db_instance", "main", object.remove(settings, ["multi_az"])), object.remove(configured_settings, ["multi_az"])),
	{"multi_az": true},
)])

test_res001_fires_on_multi_az_left_to_default if {
	findings := resilience.deny with input as multi_az_unset
	f := t.only(findings, "RES-001")
	contains(f.message, "not set (AWS default: single-AZ)")
}

multi_az_from_variable := t.tier_input("prod", [t.with_unknown(
	t.with_config(t.resource("aws_db_instance", "main", object.remove(settings, ["multi_az"])), object.union(configured_settings, {"multi_az": t.reference(["var.ha"])})),
	{"multi_az": true},
)])

test_res001_quiet_when_multi_az_unknown_but_configured if {
	findings := resilience.deny with input as multi_az_from_variable
	count(findings) == 0
}

# ---------------------------------------------------------------- RES-002

one_day_backups := t.tier_input("prod", [prod_db({"backup_retention_period": 1})])

test_res002_fires_on_short_retention_in_prod if {
	findings := resilience.deny with input as one_day_backups
	f := t.only(findings, "RES-002")
	f.attribute == "backup_retention_period"
	f.message == "aws_db_instance.main backup_retention_period is 1: production keeps at least 7 days of backups"
}

one_day_backups_dev := t.tier_input("dev", [prod_db({"backup_retention_period": 1})])

test_res002_quiet_outside_prod if {
	findings := resilience.deny with input as one_day_backups_dev
	count(findings) == 0
}

cluster_zero_backups := t.tier_input("production", [t.resource("aws_rds_cluster", "aurora", {"backup_retention_period": 0, "deletion_protection": true})])

test_res002_fires_on_cluster_in_production_tier if {
	findings := resilience.deny with input as cluster_zero_backups
	f := t.only(findings, "RES-002")
	f.address == "aws_rds_cluster.aurora"
}

retention_unset := t.tier_input("prod", [t.with_unknown(
	t.with_config(t.resource("aws_db_instance", "main", object.remove(settings, ["backup_retention_period"])), object.remove(configured_settings, ["backup_retention_period"])),
	{"backup_retention_period": true},
)])

test_res002_fires_on_retention_left_to_default if {
	findings := resilience.deny with input as retention_unset
	f := t.only(findings, "RES-002")
	contains(f.message, "not set (AWS default: 1 day)")
}

replica_without_backups := t.tier_input("prod", [prod_db({"backup_retention_period": 0, "replicate_source_db": "main-primary"})])

test_res002_quiet_on_read_replica if {
	findings := resilience.deny with input as replica_without_backups
	count(findings) == 0
}

# ---------------------------------------------------------------- RES-003

unprotected := t.tier_input("prod", [prod_db({"deletion_protection": false})])

test_res003_fires_on_deletion_protection_false_in_prod if {
	findings := resilience.deny with input as unprotected
	f := t.only(findings, "RES-003")
	f.attribute == "deletion_protection"
	f.message == "aws_db_instance.main deletion_protection is false: a production database can be deleted by one API call"
}

unprotected_unset := t.tier_input("prod", [prod_db({"deletion_protection": null})])

test_res003_fires_on_deletion_protection_unset if {
	findings := resilience.deny with input as unprotected_unset
	f := t.only(findings, "RES-003")
	contains(f.message, "not set")
}

unprotected_dev := t.tier_input("dev", [prod_db({"deletion_protection": false})])

test_res003_quiet_outside_prod if {
	findings := resilience.deny with input as unprotected_dev
	count(findings) == 0
}
