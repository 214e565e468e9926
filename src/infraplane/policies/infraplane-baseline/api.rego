# API-001 (warn): API stages with no throttling, which lets one client exhaust the
# account-level limit shared by every API in the region.
package infraplane.baseline.api

import rego.v1

import data.infraplane.baseline.lib

# A REST API stage is throttled by aws_api_gateway_method_settings for it (in the
# plan, changed or not) that sets a rate or burst limit (-1 means "no limit").
warn contains finding if {
	some position in lib.positions({"aws_api_gateway_stage"})
	stage := input.plan.resource_changes[position]
	not rest_stage_throttled(stage)
	finding := lib.finding(
		"API-001", stage, "stage_name",
		lib.join([stage.address, " (stage ", stage.after.stage_name, ") has no aws_api_gateway_method_settings setting throttling_rate_limit or throttling_burst_limit"]),
		"Add an aws_api_gateway_method_settings for the stage with method_path = \"*/*\" and settings { throttling_rate_limit = ..., throttling_burst_limit = ... }.",
	)
}

rest_stage_throttled(stage) if {
	some position in lib.remaining_positions({"aws_api_gateway_method_settings"})
	settings := input.plan.resource_changes[position]
	settings_for(settings, stage)
	some i, block in settings.after.settings
	some limit in ["throttling_rate_limit", "throttling_burst_limit"]
	limit_set(settings, i, block, limit)
}

settings_for(settings, stage) if lib.refers_to(settings, "stage_name", stage)

settings_for(settings, stage) if {
	lib.present(object.get(stage.after, "stage_name", null))
	settings.after.stage_name == stage.after.stage_name
	settings.after.rest_api_id == stage.after.rest_api_id
}

limit_set(_, _, block, limit) if {
	is_number(block[limit])
	block[limit] != -1
}

# A limit known only after apply was set to something: can't tell, so no finding.
limit_set(settings, i, _, limit) if settings.after_unknown.settings[i][limit] == true

# An HTTP/WebSocket API stage is throttled by its default_route_settings.
warn contains finding if {
	some position in lib.positions({"aws_apigatewayv2_stage"})
	stage := input.plan.resource_changes[position]
	not v2_stage_throttled(stage)
	finding := lib.finding(
		"API-001", stage, "default_route_settings[0].throttling_rate_limit",
		lib.join([stage.address, " (stage ", stage.after.name, ") default_route_settings[0].throttling_rate_limit is not set"]),
		"Add default_route_settings { throttling_rate_limit = ..., throttling_burst_limit = ... } to the stage.",
	)
}

v2_stage_throttled(stage) if {
	some block in stage.after.default_route_settings
	is_number(block.throttling_rate_limit)
	block.throttling_rate_limit > 0
}

v2_stage_throttled(stage) if stage.after_unknown.default_route_settings == true

v2_stage_throttled(stage) if {
	some block in stage.after_unknown.default_route_settings
	block.throttling_rate_limit == true
}
