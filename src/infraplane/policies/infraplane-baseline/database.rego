# DB-001: database instances reachable from the internet.
package infraplane.baseline.database

import rego.v1

import data.infraplane.baseline.lib

deny contains finding if {
	some position in lib.positions({"aws_db_instance", "aws_rds_cluster_instance"})
	rc := input.plan.resource_changes[position]
	rc.after.publicly_accessible == true
	finding := lib.finding(
		"DB-001", rc, "publicly_accessible",
		lib.join([rc.address, " publicly_accessible is true: the database gets a public endpoint"]),
		"Set publicly_accessible = false, place the instance in private subnets (db_subnet_group_name) and reach it from the application's security group, or through a bastion/SSM port forwarding for people.",
	)
}
