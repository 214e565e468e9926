# GOV-001: resources only in the regions the organization operates in.
# GOV-002: instance, database and cache sizes within the allow-list of the tier.
package infraplane.baseline.governance

import rego.v1

import data.infraplane.baseline.lib

# ---------------------------------------------------------------- GOV-001

# The region is known only when the provider block sets it as a constant; a region
# from a variable or the environment (AWS_REGION) is not judged.
deny contains finding if {
	some key, provider in input.plan.providers
	provider.name == "aws"
	region := provider.region
	is_string(region)
	not region in input.params.allowed_regions
	finding := lib.finding_at(
		"GOV-001", concat(".", ["provider", key]), "region",
		lib.join(["provider.", key, " region is ", region, ", outside the allowed regions (", concat(", ", input.params.allowed_regions), ")"]),
		lib.join(["Set the provider's region to one of ", concat(", ", input.params.allowed_regions), ", or ask the platform team to add ", region, " to allowed_regions."]),
	)
}

# ---------------------------------------------------------------- GOV-002

class_attribute := {
	"aws_instance": "instance_type",
	"aws_launch_template": "instance_type",
	"aws_db_instance": "instance_class",
	"aws_rds_cluster_instance": "instance_class",
	"aws_elasticache_replication_group": "node_type",
	"aws_elasticache_cluster": "node_type",
}

# Tiers without a list (prod by default) have no limit.
deny contains finding if {
	tier := input.environment.tier
	allowed := input.params.instance_classes[tier]
	some position in lib.positions(object.keys(class_attribute))
	rc := input.plan.resource_changes[position]
	attribute := class_attribute[rc.type]
	size := rc.after[attribute]
	is_string(size)
	not size in allowed
	finding := lib.finding(
		"GOV-002", rc, attribute,
		lib.join([rc.address, " ", attribute, " is ", size, ", not allowed in the ", tier, " tier"]),
		lib.join([
			"Use a size the ", tier, " tier allows: ", concat(", ", [c | some c in allowed; same_family(c, size)]),
			"; a larger size belongs in a tier that allows it (params.instance_classes of the bundle).",
		]),
	)
}

# Classes of the same kind as `size` (db.* for db.*, cache.* for cache.*, else EC2).
same_family(candidate, size) if {
	some prefix in ["db.", "cache."]
	startswith(size, prefix)
	startswith(candidate, prefix)
}

same_family(candidate, size) if {
	not startswith(size, "db.")
	not startswith(size, "cache.")
	not startswith(candidate, "db.")
	not startswith(candidate, "cache.")
}
