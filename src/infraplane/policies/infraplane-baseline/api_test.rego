package infraplane.baseline.api_test

import rego.v1

import data.infraplane.baseline.api
import data.infraplane.baseline.lib_test as t

stage := t.resource("aws_api_gateway_stage", "v1", {"rest_api_id": "abc123", "stage_name": "v1", "deployment_id": "d1"})

method_settings(settings) := t.with_config(
	t.resource("aws_api_gateway_method_settings", "all", {"rest_api_id": "abc123", "stage_name": "v1", "method_path": "*/*", "settings": [settings]}),
	{"stage_name": t.reference(["aws_api_gateway_stage.v1.stage_name", "aws_api_gateway_stage.v1"])},
)

# ---------------------------------------------------------------- REST stages

bare_stage := t.plan_input([stage])

test_api001_warns_on_stage_without_method_settings if {
	warnings := api.warn with input as bare_stage
	f := t.only(warnings, "API-001")
	f.address == "aws_api_gateway_stage.v1"
	f.attribute == "stage_name"
	f.message == "aws_api_gateway_stage.v1 (stage v1) has no aws_api_gateway_method_settings setting throttling_rate_limit or throttling_burst_limit"
}

throttled_stage := t.plan_input([stage, method_settings({"throttling_rate_limit": 100, "throttling_burst_limit": 50})])

test_api001_quiet_with_throttling_method_settings if {
	warnings := api.warn with input as throttled_stage
	count(warnings) == 0
}

unlimited_settings := t.plan_input([stage, method_settings({"throttling_rate_limit": -1, "throttling_burst_limit": -1, "metrics_enabled": true})])

test_api001_warns_when_method_settings_leave_limits_at_minus_one if {
	warnings := api.warn with input as unlimited_settings
	t.only(warnings, "API-001")
}

throttled_by_name := t.plan_input([stage, t.resource("aws_api_gateway_method_settings", "all", {
	"rest_api_id": "abc123", "stage_name": "v1", "method_path": "*/*",
	"settings": [{"throttling_rate_limit": 10, "throttling_burst_limit": -1}],
})])

test_api001_quiet_with_method_settings_matched_by_name if {
	warnings := api.warn with input as throttled_by_name
	count(warnings) == 0
}

other_api_throttled := t.plan_input([stage, t.resource("aws_api_gateway_method_settings", "all", {
	"rest_api_id": "other", "stage_name": "v1", "method_path": "*/*",
	"settings": [{"throttling_rate_limit": 10, "throttling_burst_limit": 5}],
})])

test_api001_warns_when_settings_belong_to_another_api if {
	warnings := api.warn with input as other_api_throttled
	t.only(warnings, "API-001")
}

# ---------------------------------------------------------------- HTTP/WebSocket stages

v2_stage(route_settings) := t.resource("aws_apigatewayv2_stage", "default", {"api_id": "abc123", "name": "$default", "default_route_settings": route_settings})

v2_unthrottled := t.plan_input([v2_stage([])])

test_api001_warns_on_v2_stage_without_route_settings if {
	warnings := api.warn with input as v2_unthrottled
	f := t.only(warnings, "API-001")
	f.address == "aws_apigatewayv2_stage.default"
	f.attribute == "default_route_settings[0].throttling_rate_limit"
}

v2_zero := t.plan_input([v2_stage([{"throttling_rate_limit": 0, "throttling_burst_limit": 0, "detailed_metrics_enabled": true}])])

test_api001_warns_on_v2_stage_with_zero_rate if {
	warnings := api.warn with input as v2_zero
	t.only(warnings, "API-001")
}

v2_throttled := t.plan_input([v2_stage([{"throttling_rate_limit": 100, "throttling_burst_limit": 50}])])

test_api001_quiet_on_throttled_v2_stage if {
	warnings := api.warn with input as v2_throttled
	count(warnings) == 0
}
