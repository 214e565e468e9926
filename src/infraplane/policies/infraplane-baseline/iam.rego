# IAM-001: policies granting every action on every resource (administrator access).
package infraplane.baseline.iam

import rego.v1

import data.infraplane.baseline.lib

policy_types := {"aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"}

# {rc, attribute, document} for every policy document a change sets.
documents contains {"rc": rc, "attribute": "policy", "document": rc.after.policy} if {
	some rc in lib.changes(policy_types)
}

# Inline policies declared on the role itself.
documents contains {"rc": rc, "attribute": lib.join(["inline_policy[", i, "].policy"]), "document": block.policy} if {
	some rc in lib.changes({"aws_iam_role"})
	some i, block in rc.after.inline_policy
}

deny contains finding if {
	some doc in documents
	some i, statement in lib.statements(doc.document)
	statement.Effect == "Allow"
	some action in lib.as_list(statement.Action)
	action in {"*", "*:*"}
	some resource in lib.as_list(statement.Resource)
	resource == "*"
	finding := lib.finding(
		"IAM-001", doc.rc, doc.attribute,
		lib.join([doc.rc.address, " ", doc.attribute, " Statement[", i, "] allows Action \"", action, "\" on Resource \"*\": full administrator access"]),
		"List only the actions the workload needs (e.g. \"sqs:SendMessage\") on the ARNs it uses; administrator access belongs to a break-glass role managed outside application blueprints.",
	)
}
