# RES-001, RES-002, RES-003: production databases must survive an AZ outage, keep a
# week of backups and not be deleted by accident. Only in the prod tier
# (input.environment.tier "prod" or "production"); other tiers may save the cost.
#
# multi_az and backup_retention_period are computed by the provider, so a value
# left out of the configuration shows as unknown: it is then judged by AWS's
# default (single-AZ, one day of backups).
package infraplane.baseline.resilience

import rego.v1

import data.infraplane.baseline.lib

minimum_backup_days := 7

# ---------------------------------------------------------------- RES-001

deny contains finding if {
	lib.prod
	some position in lib.positions({"aws_db_instance"})
	rc := input.plan.resource_changes[position]
	value := single_az(rc)
	finding := lib.finding(
		"RES-001", rc, "multi_az",
		lib.join([rc.address, " multi_az is ", value, ": a production database on one availability zone goes down with it"]),
		"Set multi_az = true.",
	)
}

single_az(rc) := "false" if lib.off(rc, "multi_az")

else := "not set (AWS default: single-AZ)" if {
	lib.unknown(rc, "multi_az")
	lib.unset(rc, "multi_az")
}

# ---------------------------------------------------------------- RES-002

deny contains finding if {
	lib.prod
	some position in lib.positions({"aws_db_instance", "aws_rds_cluster"})
	rc := input.plan.resource_changes[position]
	not read_replica(rc)
	value := short_retention(rc)
	finding := lib.finding(
		"RES-002", rc, "backup_retention_period",
		lib.join([rc.address, " backup_retention_period is ", value, ": production keeps at least ", minimum_backup_days, " days of backups"]),
		lib.join(["Set backup_retention_period = ", minimum_backup_days, " or more (up to 35)."]),
	)
}

short_retention(rc) := lib.text(rc.after.backup_retention_period) if {
	is_number(rc.after.backup_retention_period)
	rc.after.backup_retention_period < minimum_backup_days
}

else := "not set (AWS default: 1 day)" if {
	lib.unknown(rc, "backup_retention_period")
	lib.unset(rc, "backup_retention_period")
}

# A read replica's backups are its source's business.
read_replica(rc) if lib.present(object.get(rc.after, "replicate_source_db", null))

# ---------------------------------------------------------------- RES-003

deny contains finding if {
	lib.prod
	some position in lib.positions({"aws_db_instance", "aws_rds_cluster"})
	rc := input.plan.resource_changes[position]
	lib.off(rc, "deletion_protection")
	finding := lib.finding(
		"RES-003", rc, "deletion_protection",
		lib.join([rc.address, " deletion_protection is ", lib.shown_off(rc, "deletion_protection"), ": a production database can be deleted by one API call"]),
		"Set deletion_protection = true.",
	)
}
