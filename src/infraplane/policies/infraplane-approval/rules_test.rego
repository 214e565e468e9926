package infraplane.approval_test

import rego.v1

import data.infraplane.approval

params := {
	"auto_approve_tiers": ["dev"],
	"prod_tiers": ["prod", "production"],
	"prod_group": "platform-team",
	"prod_approvals": 2,
	"finops_group": "finops",
	"finops_threshold": 500,
	"blast_radius_limit": 10,
	"admin_group": "platform-admins",
}

proposal(tier, kind, actor) := {
	"kind": kind,
	"environment": "payments",
	"team": "payments",
	"tier": tier,
	"actor": {"kind": actor, "id": "someone"},
	"cost": {"delta": 12},
	"blast_radius": {
		"destroyed": 0, "replaced": 0, "downstream": 0, "data_at_risk": [],
		"other_environments": [], "breaking_environments": [],
	},
	"findings": {"deny": 0, "warn": 0},
	"dependency_warnings": 0,
}

doc(p) := {"hook": "approval", "proposal": p, "params": params}

rules(entries) := {e.rule | some e in entries}

dev_human := doc(proposal("dev", "create", "human"))

test_dev_human_is_auto_approved if {
	count(approval.require) == 0 with input as dev_human
	count(approval.block) == 0 with input as dev_human
}

dev_agent := doc(proposal("dev", "create", "agent"))

test_agent_needs_a_human_even_in_dev if {
	rules(approval.require) == {"APR-003"} with input as dev_agent
}

staging_human := doc(proposal("staging", "update", "human"))

test_staging_needs_one_approval_from_anyone if {
	entries := approval.require with input as staging_human
	rules(entries) == {"APR-001"}
	some e in entries
	e.count == 1
	e.group == ""
}

staging_agent := doc(proposal("staging", "create", "agent"))

test_staging_agent_needs_one_human if {
	rules(approval.require) == {"APR-001", "APR-003"} with input as staging_agent
}

prod_human := doc(proposal("prod", "update", "human"))

test_prod_needs_two_from_platform_team if {
	entries := approval.require with input as prod_human
	rules(entries) == {"APR-002"}
	some e in entries
	e.count == 2
	e.group == "platform-team"
}

prod_destroy := doc(proposal("prod", "destroy", "human"))

test_prod_destroy_needs_two if {
	entries := approval.require with input as prod_destroy
	rules(entries) == {"APR-002", "APR-004"}
	some e in entries
	e.rule == "APR-004"
	e.count == 2
}

expensive := doc(object.union(proposal("dev", "update", "human"), {"cost": {"delta": 750.5}}))

test_cost_increase_over_500_needs_finops if {
	entries := approval.require with input as expensive
	rules(entries) == {"APR-005"}
	some e in entries
	e.group == "finops"
}

cheap := doc(object.union(proposal("dev", "update", "human"), {"cost": {"delta": 500}}))

test_cost_increase_of_exactly_500_does_not if {
	count(approval.require) == 0 with input as cheap
}

denied := doc(object.union(proposal("dev", "create", "human"), {"findings": {"deny": 1, "warn": 0}}))

test_deny_findings_block if {
	rules(approval.block) == {"APR-000"} with input as denied
}

wide := doc(object.union(
	proposal("dev", "update", "human"),
	{"blast_radius": {"destroyed": 8, "replaced": 3, "downstream": 0, "data_at_risk": []}},
))

test_wide_blast_radius_needs_platform_team if {
	rules(approval.require) == {"APR-006"} with input as wide
}

data_loss := doc(object.union(
	proposal("staging", "update", "human"),
	{"blast_radius": {"destroyed": 0, "replaced": 1, "downstream": 0, "data_at_risk": ["postgres"]}},
))

test_classified_data_at_risk_needs_platform_team if {
	rules(approval.require) == {"APR-001", "APR-007"} with input as data_loss
}

dev_data_loss := doc(object.union(
	proposal("dev", "destroy", "human"),
	{"blast_radius": {"destroyed": 3, "replaced": 0, "downstream": 0, "data_at_risk": ["postgres"]}},
))

test_dev_data_loss_stays_auto if {
	count(approval.require) == 0 with input as dev_data_loss
}

dependency_warning := doc(object.union(proposal("staging", "upgrade", "human"), {"dependency_warnings": 1}))

test_dependency_warning_needs_platform_team if {
	rules(approval.require) == {"APR-001", "APR-008"} with input as dependency_warning
}

prod_warn := doc(object.union(proposal("prod", "update", "human"), {"findings": {"deny": 0, "warn": 2}}))

test_prod_warnings_need_platform_team if {
	rules(approval.require) == {"APR-002", "APR-008"} with input as prod_warn
}

system_staging := doc(proposal("staging", "destroy", "system"))

test_system_proposal_in_staging_needs_one_approval if {
	rules(approval.require) == {"APR-001"} with input as system_staging
}

read_by_others := {"destroyed": 2, "replaced": 0, "downstream": 0, "data_at_risk": [], "other_environments": ["orders-app"], "breaking_environments": ["orders-app"]}

dev_destroy_read := doc(object.union(proposal("dev", "destroy", "human"), {"blast_radius": read_by_others}))

test_destroying_what_others_read_needs_an_admin_even_in_dev if {
	entries := approval.require with input as dev_destroy_read
	rules(entries) == {"APR-009"}
	some e in entries
	e.group == "platform-admins"
	e.count == 1
	contains(e.reason, "orders-app")
}

prod_destroy_read := doc(object.union(proposal("prod", "destroy", "human"), {"blast_radius": read_by_others}))

test_destroying_prod_that_others_read_needs_admin_and_platform_team if {
	rules(approval.require) == {"APR-002", "APR-004", "APR-009"} with input as prod_destroy_read
}

dev_update_read := doc(object.union(proposal("dev", "update", "human"), {"blast_radius": read_by_others}))

test_changing_what_others_read_is_not_apr_009 if {
	count(approval.require) == 0 with input as dev_update_read
}

dev_destroy_unread := doc(proposal("dev", "destroy", "human"))

test_destroying_what_nobody_reads_stays_auto_in_dev if {
	count(approval.require) == 0 with input as dev_destroy_unread
}
