package infraplane.baseline.iam_test

import rego.v1

import data.infraplane.baseline.iam
import data.infraplane.baseline.lib_test as t

policy(type, document) := t.resource(type, "app", {"name": "app", "policy": document})

admin := t.plan_input([policy("aws_iam_policy", `{"Version":"2012-10-17","Statement":[{"Sid":"Everything","Effect":"Allow","Action":"*","Resource":"*"}]}`)])

test_iam001_fires_on_action_star_resource_star if {
	findings := iam.deny with input as admin
	f := t.only(findings, "IAM-001")
	f.address == "aws_iam_policy.app"
	f.attribute == "policy"
	f.message == "aws_iam_policy.app policy Statement[0] allows Action \"*\" on Resource \"*\": full administrator access"
}

scoped := t.plan_input([policy("aws_iam_policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:123456789012:orders"}]}`)])

test_iam001_quiet_on_scoped_policy if {
	findings := iam.deny with input as scoped
	count(findings) == 0
}

admin_in_lists := t.plan_input([policy("aws_iam_role_policy", `{"Statement":{"Effect":"Allow","Action":["s3:GetObject","*"],"Resource":["arn:aws:s3:::a/*","*"]}}`)])

test_iam001_fires_on_star_inside_lists_and_single_statement if {
	findings := iam.deny with input as admin_in_lists
	f := t.only(findings, "IAM-001")
	f.address == "aws_iam_role_policy.app"
}

star_on_one_bucket := t.plan_input([policy("aws_iam_user_policy", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::a/*"},{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)])

test_iam001_quiet_when_only_one_of_action_or_resource_is_star if {
	findings := iam.deny with input as star_on_one_bucket
	count(findings) == 0
}

deny_everything := t.plan_input([policy("aws_iam_group_policy", `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)])

test_iam001_quiet_on_deny_statement if {
	findings := iam.deny with input as deny_everything
	count(findings) == 0
}

role_inline := t.plan_input([t.resource("aws_iam_role", "app", {"name": "app", "inline_policy": [
	{"name": "ok", "policy": `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`},
	{"name": "admin", "policy": `{"Statement":[{"Effect":"Allow","Action":"*:*","Resource":"*"}]}`},
]})])

test_iam001_fires_on_role_inline_policy if {
	findings := iam.deny with input as role_inline
	f := t.only(findings, "IAM-001")
	f.address == "aws_iam_role.app"
	f.attribute == "inline_policy[1].policy"
}
