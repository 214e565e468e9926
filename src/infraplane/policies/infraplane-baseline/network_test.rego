package infraplane.baseline.network_test

import rego.v1

import data.infraplane.baseline.lib_test as t
import data.infraplane.baseline.network

sg(name, ingress) := t.resource("aws_security_group", name, {"name": name, "ingress": ingress, "egress": []})

ingress(from, to, protocol, cidrs, ipv6_cidrs) := {
	"from_port": from, "to_port": to, "protocol": protocol,
	"cidr_blocks": cidrs, "ipv6_cidr_blocks": ipv6_cidrs,
	"description": "", "prefix_list_ids": [], "security_groups": [], "self": false,
}

sg_rule(name, from, to, protocol, cidrs) := t.resource("aws_security_group_rule", name, {
	"type": "ingress", "from_port": from, "to_port": to, "protocol": protocol,
	"cidr_blocks": cidrs, "ipv6_cidr_blocks": null, "security_group_id": "sg-1",
})

vpc_rule(name, from, to, protocol, cidr_ipv4) := t.resource("aws_vpc_security_group_ingress_rule", name, {
	"from_port": from, "to_port": to, "ip_protocol": protocol,
	"cidr_ipv4": cidr_ipv4, "cidr_ipv6": null, "security_group_id": "sg-1",
})

# ---------------------------------------------------------------- NET-001

open_8080 := t.plan_input([sg("web", [ingress(8080, 8080, "tcp", ["0.0.0.0/0"], [])])])

test_net001_fires_on_inline_8080_open_to_world if {
	findings := network.deny with input as open_8080
	f := t.only(findings, "NET-001")
	f.address == "aws_security_group.web"
	f.attribute == "ingress[0].cidr_blocks"
	f.message == "aws_security_group.web ingress[0].cidr_blocks allows 0.0.0.0/0 on tcp port 8080"
	not t.fired(findings, "NET-002")
}

vpc_8080 := t.plan_input([sg("web", [ingress(8080, 8080, "tcp", ["10.0.0.0/16"], [])])])

test_net001_quiet_on_vpc_cidr if {
	findings := network.deny with input as vpc_8080
	count(findings) == 0
}

web_443 := t.plan_input([sg("web", [ingress(443, 443, "tcp", ["0.0.0.0/0"], ["::/0"]), ingress(80, 80, "tcp", ["0.0.0.0/0"], [])])])

test_net001_quiet_on_80_and_443 if {
	findings := network.deny with input as web_443
	count(findings) == 0
}

open_ipv6_range := t.plan_input([sg("web", [ingress(8000, 8100, "tcp", [], ["::/0"])])])

test_net001_fires_on_ipv6_range if {
	findings := network.deny with input as open_ipv6_range
	f := t.only(findings, "NET-001")
	f.attribute == "ingress[0].ipv6_cidr_blocks"
	contains(f.message, "tcp ports 8000-8100")
}

range_80_443 := t.plan_input([sg_rule("web", 80, 443, "tcp", ["0.0.0.0/0"])])

test_net001_fires_on_range_between_80_and_443 if {
	findings := network.deny with input as range_80_443
	f := t.only(findings, "NET-001")
	f.address == "aws_security_group_rule.web"
	f.attribute == "cidr_blocks"
}

rule_8443 := t.plan_input([vpc_rule("api", 8443, 8443, "tcp", "0.0.0.0/0")])

test_net001_fires_on_vpc_ingress_rule if {
	findings := network.deny with input as rule_8443
	f := t.only(findings, "NET-001")
	f.attribute == "cidr_ipv4"
}

rule_8443_private := t.plan_input([vpc_rule("api", 8443, 8443, "tcp", "10.0.0.0/8")])

test_net001_quiet_on_private_vpc_ingress_rule if {
	findings := network.deny with input as rule_8443_private
	count(findings) == 0
}

icmp_open := t.plan_input([sg("web", [ingress(-1, -1, "icmp", ["0.0.0.0/0"], [])])])

test_net001_quiet_on_icmp if {
	findings := network.deny with input as icmp_open
	count(findings) == 0
}

egress_rule := t.plan_input([t.with_after(sg_rule("out", 0, 65535, "tcp", ["0.0.0.0/0"]), {"type": "egress"})])

test_net001_quiet_on_egress if {
	findings := network.deny with input as egress_rule
	count(findings) == 0
}

deleted_open := t.plan_input([t.with_actions(sg("web", [ingress(8080, 8080, "tcp", ["0.0.0.0/0"], [])]), ["delete"])])

test_net001_quiet_on_delete if {
	findings := network.deny with input as deleted_open
	count(findings) == 0
}

# ---------------------------------------------------------------- NET-002

ssh_open := t.plan_input([vpc_rule("ssh", 22, 22, "tcp", "0.0.0.0/0")])

test_net002_fires_on_ssh if {
	findings := network.deny with input as ssh_open
	f := t.only(findings, "NET-002")
	f.address == "aws_vpc_security_group_ingress_rule.ssh"
	f.attribute == "cidr_ipv4"
	contains(f.message, "port(s) 22")
	not t.fired(findings, "NET-001")
}

ssh_private := t.plan_input([vpc_rule("ssh", 22, 22, "tcp", "10.0.0.0/16")])

test_net002_quiet_on_private_ssh if {
	findings := network.deny with input as ssh_private
	count(findings) == 0
}

postgres_in_range := t.plan_input([sg_rule("db", 5000, 6000, "tcp", ["0.0.0.0/0"])])

test_net002_fires_on_range_including_a_database_port if {
	findings := network.deny with input as postgres_in_range
	f := t.only(findings, "NET-002")
	contains(f.message, "tcp ports 5000-6000")
	contains(f.message, "5432")
	not t.fired(findings, "NET-001")
}

all_ports_ipv6 := t.plan_input([sg("any", [ingress(0, 0, "-1", ["10.0.0.0/8"], ["::/0"])])])

test_net002_fires_on_all_ports_not_net001 if {
	findings := network.deny with input as all_ports_ipv6
	f := t.only(findings, "NET-002")
	f.attribute == "ingress[0].ipv6_cidr_blocks"
	contains(f.message, "all ports")
	contains(f.message, "port(s) 22, 3389, 1433")
	not t.fired(findings, "NET-001")
}

all_ports_vpc_rule := t.plan_input([vpc_rule("any", null, null, "-1", "0.0.0.0/0")])

test_net002_fires_on_vpc_rule_all_protocols if {
	findings := network.deny with input as all_ports_vpc_rule
	t.only(findings, "NET-002")
}

rdp_from_sg := t.plan_input([sg("rdp", [object.union(ingress(3389, 3389, "tcp", [], []), {"security_groups": ["sg-bastion"]})])])

test_net002_quiet_when_source_is_a_security_group if {
	findings := network.deny with input as rdp_from_sg
	count(findings) == 0
}
