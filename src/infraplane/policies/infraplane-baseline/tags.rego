# TAG-001: every taggable resource carries the tags cost reports and on-call rely
# on (params.required_tags), counting the provider's default_tags.
#
# `tags` in the input is the resource's effective tags (tags_all, which includes
# the provider's default_tags, merged with tags). When tags_all is unknown at plan
# time the tags can't be told, so nothing is reported; a tag whose value is
# unknown counts as present. An empty value counts as missing: it says nothing.
package infraplane.baseline.tags

import rego.v1

import data.infraplane.baseline.lib

deny contains finding if {
	some rc in lib.changes_all
	rc.taggable == true
	not lib.unknown(rc, "tags_all")
	missing := [key | some key in input.params.required_tags; not tagged(rc, key)]
	count(missing) > 0
	finding := lib.finding(
		"TAG-001", rc, "tags",
		lib.join([rc.address, " is missing required tag(s) ", concat(", ", missing)]),
		lib.join([
			"Add ", concat(", ", [concat("", [key, " = \"...\""]) | some key in missing]),
			" to the resource's tags, or once for every resource in the aws provider's default_tags block.",
		]),
	)
}

tagged(rc, key) if lib.present(rc.tags[key])

tagged(rc, key) if object.get(rc, ["after_unknown", "tags", key], false) == true

tagged(rc, key) if object.get(rc, ["after_unknown", "tags_all", key], false) == true
