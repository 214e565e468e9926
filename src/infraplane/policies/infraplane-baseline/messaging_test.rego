package infraplane.baseline.messaging_test

import rego.v1

import data.infraplane.baseline.lib_test as t
import data.infraplane.baseline.messaging

anyone_sends := t.plan_input([t.resource("aws_sqs_queue_policy", "orders", {
	"queue_url": "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
	"policy": `{"Version":"2012-10-17","Statement":[{"Sid":"AnyoneSends","Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:123456789012:orders"}]}`,
})])

test_msg001_fires_on_queue_policy_principal_star if {
	findings := messaging.deny with input as anyone_sends
	f := t.only(findings, "MSG-001")
	f.address == "aws_sqs_queue_policy.orders"
	f.attribute == "policy"
	f.message == "aws_sqs_queue_policy.orders policy Statement[0] allows Principal \"*\" to sqs:SendMessage: anyone can use the queue"
}

producer_sends := t.plan_input([t.resource("aws_sqs_queue_policy", "orders", {
	"queue_url": "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
	"policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/producer"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:123456789012:orders"}]}`,
})])

test_msg001_quiet_on_named_principal if {
	findings := messaging.deny with input as producer_sends
	count(findings) == 0
}

open_topic := t.plan_input([t.resource("aws_sns_topic", "alerts", {
	"name": "alerts",
	"policy": `{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:Publish","SNS:Subscribe"],"Resource":"*"}}`,
})])

test_msg001_fires_on_topic_inline_policy if {
	findings := messaging.deny with input as open_topic
	f := t.only(findings, "MSG-001")
	f.address == "aws_sns_topic.alerts"
	contains(f.message, "SNS:Publish, SNS:Subscribe: anyone can use the topic")
}

s3_events_topic := t.plan_input([t.resource("aws_sns_topic_policy", "events", {
	"arn": "arn:aws:sns:us-east-1:123456789012:events",
	"policy": `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"SNS:Publish","Resource":"arn:aws:sns:us-east-1:123456789012:events","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::uploads"}}}]}`,
})])

test_msg001_quiet_on_star_tied_to_source_arn if {
	findings := messaging.deny with input as s3_events_topic
	count(findings) == 0
}

inline_queue := t.plan_input([t.resource("aws_sqs_queue", "jobs", {
	"name": "jobs",
	"policy": `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"*"}]}`,
})])

test_msg001_fires_on_queue_inline_policy if {
	findings := messaging.deny with input as inline_queue
	f := t.only(findings, "MSG-001")
	f.address == "aws_sqs_queue.jobs"
}
