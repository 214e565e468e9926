# Approval rules: which approvals a proposal needs (`require`) or why it cannot go on (`block`).
#
# Each `require` entry asks for `count` distinct approvals from `group` (any human when
# the group is ""); every entry must be met. The proposer never counts, and an agent
# never approves. A proposal nobody's rule mentions is auto-approved.
package infraplane.approval

import rego.v1

p := input.proposal

prod if p.tier in input.params.prod_tiers

auto_tier if p.tier in input.params.auto_approve_tiers

# APR-000: deny findings from the guardrails stop a proposal outright.
block contains {"rule": "APR-000", "reason": "the guardrails found deny findings; fix them and propose again"} if {
	p.findings.deny > 0
}

# APR-001: outside the auto-approved tiers (and below prod), one approval.
require contains {
	"rule": "APR-001",
	"count": 1,
	"group": "",
	"reason": concat("", ["changes to tier ", p.tier, " need one approval"]),
} if {
	not auto_tier
	not prod
}

# APR-002: production needs two approvals from platform-team.
require contains {
	"rule": "APR-002",
	"count": input.params.prod_approvals,
	"group": input.params.prod_group,
	"reason": "production changes need approvals from the platform team",
} if prod

# APR-003: whatever an agent proposes, a human approves.
require contains {
	"rule": "APR-003",
	"count": 1,
	"group": "",
	"reason": "agent proposals need a human approval",
} if p.actor.kind == "agent"

# APR-004: destroying production needs two approvals, whatever APR-002 is set to.
require contains {
	"rule": "APR-004",
	"count": 2,
	"group": input.params.prod_group,
	"reason": "destroying a production environment needs two approvals",
} if {
	prod
	p.kind == "destroy"
}

# APR-005: a large cost increase needs finops.
require contains {
	"rule": "APR-005",
	"count": 1,
	"group": input.params.finops_group,
	"reason": "the monthly cost increase is over the finops threshold",
} if p.cost.delta > input.params.finops_threshold

# APR-006: a wide blast radius needs platform-team, in any tier.
require contains {
	"rule": "APR-006",
	"count": 1,
	"group": input.params.prod_group,
	"reason": "many resources would be destroyed or replaced",
} if p.blast_radius.destroyed + p.blast_radius.replaced > input.params.blast_radius_limit

# APR-007: confidential or restricted data at risk outside the auto tiers needs platform-team.
require contains {
	"rule": "APR-007",
	"count": 1,
	"group": input.params.prod_group,
	"reason": concat("", ["resources holding classified data would be destroyed or replaced: ", concat(", ", p.blast_radius.data_at_risk)]),
} if {
	count(p.blast_radius.data_at_risk) > 0
	not auto_tier
}

# APR-008: warnings a platform engineer should read: dependency warnings outside the
# auto tiers (an output a dependent reads changes, something others use is destroyed),
# and guardrail warnings in production.
require contains {
	"rule": "APR-008",
	"count": 1,
	"group": input.params.prod_group,
	"reason": "the proposal carries warnings a platform engineer should read",
} if {
	not auto_tier
	p.dependency_warnings > 0
}

require contains {
	"rule": "APR-008",
	"count": 1,
	"group": input.params.prod_group,
	"reason": "the proposal carries warnings a platform engineer should read",
} if {
	prod
	p.findings.warn > 0
}

# APR-009: destroying an environment other environments read is blocked until an admin approves:
# one approval from the admin group (an approval group like any other; nobody else's counts,
# whatever else the proposal needs).
require contains {
	"rule": "APR-009",
	"count": 1,
	"group": input.params.admin_group,
	"reason": concat("", [
		"other environments read this one's outputs and would lose them: ",
		concat(", ", p.blast_radius.other_environments),
	]),
} if {
	p.kind == "destroy"
	count(p.blast_radius.other_environments) > 0
}
