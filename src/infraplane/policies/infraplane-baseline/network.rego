# NET-001, NET-002: security group ingress open to the whole internet.
#
# The three ways Terraform opens ingress (inline `ingress` blocks of
# aws_security_group, aws_security_group_rule, aws_vpc_security_group_ingress_rule)
# are first brought into one shape, `world_ingress`; the rules then only look at
# ports. A rule reaching an admin or database port is NET-002 only, so one opening
# is never reported twice.
package infraplane.baseline.network

import rego.v1

import data.infraplane.baseline.lib

open_cidrs := {"0.0.0.0/0", "::/0"}

# Ports anyone may reach: a web front end.
web_ports := {80, 443}

# In the order of params, which is the order messages list them in.
sensitive_ports := array.concat(object.get(input.params, "admin_ports", []), object.get(input.params, "database_ports", []))

# ---------------------------------------------------------------- the openings

# {address, attribute, cidr, protocol, from, to} for every ingress permission from an open CIDR.
#
# An array rather than a set, and the change's address rather than the change: rego-cpp
# adds to a set by comparing the new member's text with every member's, so a set of
# openings holding whole changes costs quadratic time in the plan's size. (Two equal
# openings would give equal findings, which the `deny` set keeps once.)
world_ingress := array.concat(array.concat(inline_openings, rule_openings), vpc_rule_openings)

inline_openings := [opening |
	some position in lib.positions({"aws_security_group"})
	rc := input.plan.resource_changes[position]
	some i
	block := rc.after.ingress[i]
	some field in ["cidr_blocks", "ipv6_cidr_blocks"]
	some cidr in block[field]
	cidr in open_cidrs
	opening := {
		"address": rc.address, "attribute": lib.join(["ingress[", i, "].", field]), "cidr": cidr,
		"protocol": block.protocol, "from": block.from_port, "to": block.to_port,
	}
]

rule_openings := [opening |
	some position in lib.positions({"aws_security_group_rule"})
	rc := input.plan.resource_changes[position]
	rc.after.type == "ingress"
	some field in ["cidr_blocks", "ipv6_cidr_blocks"]
	some cidr in rc.after[field]
	cidr in open_cidrs
	opening := {
		"address": rc.address, "attribute": field, "cidr": cidr,
		"protocol": rc.after.protocol, "from": rc.after.from_port, "to": rc.after.to_port,
	}
]

vpc_rule_openings := [opening |
	some position in lib.positions({"aws_vpc_security_group_ingress_rule"})
	rc := input.plan.resource_changes[position]
	some field in ["cidr_ipv4", "cidr_ipv6"]
	cidr := rc.after[field]
	cidr in open_cidrs
	opening := {
		"address": rc.address, "attribute": field, "cidr": cidr,
		"protocol": rc.after.ip_protocol, "from": rc.after.from_port, "to": rc.after.to_port,
	}
]

# ---------------------------------------------------------------- ports

protocol(opening) := lower(lib.text(opening.protocol))

all_protocols(opening) if protocol(opening) in {"-1", "all"}

ported(opening) if protocol(opening) in {"tcp", "udp", "6", "17"}

# ICMP has types and codes, not ports; opening it (ping, path MTU discovery) is not what these rules are about.
icmp(opening) if protocol(opening) in {"icmp", "icmpv6", "1", "58"}

# [lowest, highest] port the opening reaches; undefined for protocols without ports.
port_range(opening) := [0, 65535] if all_protocols(opening)

else := [opening.from, opening.to] if {
	ported(opening)
	is_number(opening.from)
	is_number(opening.to)
}

reached_sensitive(opening) := [p |
	range := port_range(opening)
	some p in sensitive_ports
	range[0] <= p
	p <= range[1]
]

web_only(opening) if {
	ported(opening)
	opening.from == opening.to
	opening.from in web_ports
}

shown_ports(opening) := "all ports" if all_protocols(opening)

else := lib.join([protocol(opening), " port ", opening.from]) if {
	ported(opening)
	opening.from == opening.to
}

else := lib.join([protocol(opening), " ports ", opening.from, "-", opening.to]) if ported(opening)

else := concat(" ", ["protocol", protocol(opening)])

# ---------------------------------------------------------------- rules

deny contains finding if {
	some opening in world_ingress
	not icmp(opening)
	not web_only(opening)
	count(reached_sensitive(opening)) == 0
	finding := lib.finding_at(
		"NET-001", opening.address, opening.attribute,
		lib.join([opening.address, " ", opening.attribute, " allows ", opening.cidr, " on ", shown_ports(opening)]),
		lib.join([
			"Restrict ", opening.attribute, " to your VPC or known client CIDRs, or put the service behind a ",
			"load balancer that listens on 80/443 and allow only the load balancer's security group.",
		]),
	)
}

deny contains finding if {
	some opening in world_ingress
	ports := reached_sensitive(opening)
	count(ports) > 0
	finding := lib.finding_at(
		"NET-002", opening.address, opening.attribute,
		lib.join([
			opening.address, " ", opening.attribute, " allows ", opening.cidr, " on ", shown_ports(opening),
			", reaching admin/database port(s) ", concat(", ", [lib.text(p) | some p in ports]),
		]),
		lib.join([
			"Remove ", opening.cidr, " from ", opening.attribute, ": reach hosts through SSM Session Manager, ",
			"a bastion or a VPN, and databases only from the application's security group ",
			"(source_security_group_id / referenced_security_group_id).",
		]),
	)
}
