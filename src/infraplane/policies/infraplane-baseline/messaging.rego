# MSG-001: queues and topics anyone can use.
#
# A statement with Principal "*" that a condition ties to a source (aws:SourceArn
# of an S3 bucket or SNS topic, aws:PrincipalOrgID, ...) is the documented way to
# let an AWS service publish, and is not a finding (lib.public_statement).
package infraplane.baseline.messaging

import rego.v1

import data.infraplane.baseline.lib

deny contains finding if {
	some rc in with_policy
	some i, statement in lib.statements(rc.after.policy)
	lib.public_statement(statement)
	finding := lib.finding(
		"MSG-001", rc, "policy",
		lib.join([
			rc.address, " policy Statement[", i, "] allows Principal \"*\" to ", lib.shown_actions(statement),
			": anyone can use the ", kind(rc),
		]),
		concat("", [
			"Name the principals that may use it (account or role ARNs, or a service principal such as ",
			"sns.amazonaws.com), or add a Condition on aws:SourceArn / aws:SourceAccount / aws:PrincipalOrgID.",
		]),
	)
}

# The queues and topics whose policy is known at plan time (lib.statements reads only
# strings), filtered in a comprehension: of thousands of queues, few have one.
with_policy := [rc |
	some position in lib.positions({"aws_sqs_queue_policy", "aws_sqs_queue", "aws_sns_topic_policy", "aws_sns_topic"})
	rc := input.plan.resource_changes[position]
	is_string(rc.after.policy)
]

kind(rc) := "queue" if startswith(rc.type, "aws_sqs_")

else := "topic"
