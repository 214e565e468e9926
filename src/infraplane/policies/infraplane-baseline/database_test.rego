package infraplane.baseline.database_test

import rego.v1

import data.infraplane.baseline.database
import data.infraplane.baseline.lib_test as t

db_instance_of(type, public) := t.resource(type, "main", {"identifier": "main", "instance_class": "db.t3.micro", "publicly_accessible": public})

public_db := t.plan_input([db_instance_of("aws_db_instance", true)])

test_db001_fires_on_public_db_instance if {
	findings := database.deny with input as public_db
	f := t.only(findings, "DB-001")
	f.address == "aws_db_instance.main"
	f.attribute == "publicly_accessible"
	f.message == "aws_db_instance.main publicly_accessible is true: the database gets a public endpoint"
}

private_db := t.plan_input([db_instance_of("aws_db_instance", false)])

test_db001_quiet_on_private_db_instance if {
	findings := database.deny with input as private_db
	count(findings) == 0
}

public_aurora_instance := t.plan_input([db_instance_of("aws_rds_cluster_instance", true)])

test_db001_fires_on_public_cluster_instance if {
	findings := database.deny with input as public_aurora_instance
	f := t.only(findings, "DB-001")
	f.address == "aws_rds_cluster_instance.main"
}

aurora_instance_default := t.plan_input([t.with_unknown(t.resource("aws_rds_cluster_instance", "main", {"instance_class": "db.r6g.large"}), {"publicly_accessible": true})])

test_db001_quiet_on_cluster_instance_left_to_default if {
	findings := database.deny with input as aurora_instance_default
	count(findings) == 0
}

public_db_deleted := t.plan_input([t.with_actions(db_instance_of("aws_db_instance", true), ["delete"])])

test_db001_quiet_on_delete if {
	findings := database.deny with input as public_db_deleted
	count(findings) == 0
}
