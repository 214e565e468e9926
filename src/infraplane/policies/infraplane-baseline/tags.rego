# TAG-001: every taggable resource carries the tags cost reports and on-call rely
# on (params.required_tags), counting the provider's default_tags.
#
# `tags` in the input is the resource's effective tags (tags_all, which includes
# the provider's default_tags, merged with tags). An empty value counts as
# missing: it says nothing. What can't be told is never a finding:
#   - a tag whose value is known only after apply counts as present;
#   - when tags_all is unknown at plan time (the provider leaves it unknown, e.g.
#     for a resource with no tags of its own), infraplane merges the provider's
#     default_tags into `tags` itself when they are known (`tags_known: true`);
#     with `tags_known: false` the effective tags can't be told. A document without
#     `tags_known` is judged from input.plan.providers: a key counts as present
#     unless every aws provider's default_tags are known and none of them has it.
package infraplane.baseline.tags

import rego.v1

import data.infraplane.baseline.lib

deny contains finding if {
	some rc in candidates
	rc.taggable == true
	# The usual case, a tag with a value, is told from `tags` alone; the change is handed
	# to tagged() only for a key that is not there.
	missing := [key | some key in input.params.required_tags; not lib.present(rc.tags[key]); not tagged(rc, key)]
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

# The changing taggable resources lacking a required tag in `tags`; the rest is judged
# only for them, in a comprehension that keeps few: most resources of a large plan carry
# every tag.
candidates := [rc |
	some rc in input.plan.resource_changes
	rc.taggable == true
	not all_present(rc.tags)
	rc.mode == "managed"
	lib.changing_actions(rc.actions)
]

# Every required tag has a value: one builtin picks the required tags out of `tags`
# (rego-cpp runs each statement or call of a rule slowly, and this is asked of every change).
all_present(tags) if {
	is_object(tags)
	found := object.filter(tags, input.params.required_tags)
	count(found) == count_required
	not found[_] == null
	not found[_] == ""
}

count_required := count({key | some key in input.params.required_tags})

tagged(rc, key) if lib.present(rc.tags[key])

tagged(rc, key) if object.get(rc, ["after_unknown", "tags"], false) == true

tagged(rc, key) if object.get(rc, ["after_unknown", "tags", key], false) == true

tagged(rc, key) if object.get(rc, ["after_unknown", "tags_all", key], false) == true

tagged(rc, _) if rc.tags_known == false

tagged(rc, key) if {
	not "tags_known" in object.keys(rc)
	lib.unknown(rc, "tags_all")
	not default_tags_known_without(key)
}

# Every aws provider's default_tags are known and none has `key`.
default_tags_known_without(key) if {
	count(aws_providers) > 0
	not default_tags_may_have(key)
}

aws_providers := [p | some p in input.plan.providers; p.name == "aws"]

default_tags_may_have(_) if {
	some p in aws_providers
	not p.default_tags_known == true
}

default_tags_may_have(key) if {
	some p in aws_providers
	lib.present(p.default_tags[key])
}
