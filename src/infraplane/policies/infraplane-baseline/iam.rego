# IAM-001: policies granting every action on every resource (administrator access).
package infraplane.baseline.iam

import rego.v1

import data.infraplane.baseline.lib

policy_types := {"aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"}

# {address, attribute, document} for every policy document a change sets: an array of
# addresses rather than a set of changes (rego-cpp adds to a set by comparing with every
# member; equal documents would give equal findings, which `deny` keeps once).
documents := array.concat(policy_documents, inline_documents)

policy_documents := [{"address": rc.address, "attribute": "policy", "document": rc.after.policy} |
	some position in lib.positions(policy_types)
	rc := input.plan.resource_changes[position]
]

# Inline policies declared on the role itself.
inline_documents := [{"address": rc.address, "attribute": lib.join(["inline_policy[", i, "].policy"]), "document": block.policy} |
	some position in lib.positions({"aws_iam_role"})
	rc := input.plan.resource_changes[position]
	some i
	block := rc.after.inline_policy[i]
]

deny contains finding if {
	some doc in documents
	some i, statement in lib.statements(doc.document)
	statement.Effect == "Allow"
	some action in lib.as_list(statement.Action)
	action in {"*", "*:*"}
	some resource in lib.as_list(statement.Resource)
	resource == "*"
	finding := lib.finding_at(
		"IAM-001", doc.address, doc.attribute,
		lib.join([doc.address, " ", doc.attribute, " Statement[", i, "] allows Action \"", action, "\" on Resource \"*\": full administrator access"]),
		"List only the actions the workload needs (e.g. \"sqs:SendMessage\") on the ARNs it uses; administrator access belongs to a break-glass role managed outside application blueprints.",
	)
}
