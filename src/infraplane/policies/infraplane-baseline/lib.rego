# Helpers shared by every rule of the infraplane-baseline bundle.
#
# The rules read the normalized `plan` document (docs/policies.md). Three things
# every rule must get right live here, so no rule gets them wrong on its own:
#   - which changes are judged (changing),
#   - what "off" means for a setting whose value may be unset or unknown (off),
#   - what a public statement in a resource policy is (public_statement).
#
# regopy 1.5 notes, for whoever edits these files:
#   - index rules and variables, never a literal (`{"a": 1}[k]` yields nothing);
#   - no `some k, v in x` inside a comprehension (a parse error): `some k; v := x[k]`;
#   - no `every` (it ignores a `not` in its body) and no sort() of computed numbers
#     (they sort as text); object.union is shallow (nested objects are replaced);
#   - two functions of the same name in different packages must take the same
#     number of arguments (otherwise evaluation fails or crashes, depending on
#     the order the files are loaded in);
#   - what rego-cpp costs (its virtual machine, read from its source): binding a
#     variable or passing an argument copies nothing, but a value put into an
#     array, set or object (a comprehension's result, a rule's `contains`, an
#     object literal) is copied whole, and a set compares each new member's text
#     with every member's: collect positions or addresses, not changes, and keep
#     sets few and small (an array where duplicates cannot matter);
#   - finding a field compares its name with every field before it, so changes
#     list their most-read fields first; a regex is compiled at every match, so a
#     cheap test (count, contains, one plain pattern) goes first;
#   - sprintf keeps the quotes of strings that were computed or passed to a
#     function (`%s` of concat("", ["a"]) gives "\"a\""): text is built with
#     `join` (concat) and never with sprintf.
package infraplane.baseline.lib

import rego.v1

# ---------------------------------------------------------------- changes

# A managed resource the plan creates or updates (a replacement's actions are
# ["delete", "create"], so it counts). Deletes, reads and no-ops are never judged:
# removing something cannot make it less safe, and what is left untouched was
# judged when it was applied.
changing(rc) if {
	rc.mode == "managed"
	changing_actions(rc.actions)
}

changing_actions(actions) if {
	some action in actions
	action in {"create", "update"}
}

# The changing resources whose type is in `types` (a set of type names).
# infraplane's normalized plan carries an index by type (changing_by_type), so a rule
# about one type reads only those changes; a document without it is scanned.
changes(types) := found if {
	index := input.plan.changing_by_type
	found := [rc |
		some type in types
		some position in object.get(index, type, [])
		rc := input.plan.resource_changes[position]
	]
} else := [rc |
	some rc in input.plan.resource_changes
	rc.type in types
	rc.mode == "managed"
	changing_actions(rc.actions)
]

# The positions in input.plan.resource_changes of the changing resources whose type
# is in `types`, in the order of changes(types). A rule reads each change where it is
# (`rc := input.plan.resource_changes[position]`): changes(types) collects copies.
positions(types) := found if {
	index := input.plan.changing_by_type
	found := [position | some type in types; some position in object.get(index, type, [])]
} else := [position |
	some type in types
	some position
	rc := input.plan.resource_changes[position]
	rc.type == type
	rc.mode == "managed"
	changing_actions(rc.actions)
]

# Every changing resource, of any type.
changes_all := [rc |
	some rc in input.plan.resource_changes
	rc.mode == "managed"
	changing_actions(rc.actions)
]

# Every resource the plan leaves in place after apply, changed or not: used to find
# a companion resource (an encryption configuration, method settings) for another.
remaining(types) := found if {
	index := input.plan.remaining_by_type
	found := [rc |
		some type in types
		some position in object.get(index, type, [])
		rc := input.plan.resource_changes[position]
	]
} else := [rc |
	some rc in input.plan.resource_changes
	rc.mode == "managed"
	rc.type in types
	not deleted_actions(rc.actions)
]

# The positions in input.plan.resource_changes of those resources, in the order of
# remaining(types): a rule reads them there without a copy of each.
remaining_positions(types) := found if {
	index := input.plan.remaining_by_type
	found := [position | some type in types; some position in object.get(index, type, [])]
} else := [position |
	some type in types
	some position
	rc := input.plan.resource_changes[position]
	rc.type == type
	rc.mode == "managed"
	not deleted_actions(rc.actions)
]

deleted(rc) if deleted_actions(rc.actions)

deleted_actions(actions) if {
	"delete" in actions
	not "create" in actions
}

# ---------------------------------------------------------------- findings

finding(rule, rc, attribute, message, remediation) := finding_at(rule, rc.address, attribute, message, remediation)

finding_at(rule, address, attribute, message, remediation) := {
	"rule": rule,
	"address": address,
	"attribute": attribute,
	"message": message,
	"remediation": remediation,
}

# ---------------------------------------------------------------- values

# True when the attribute's value is known only after apply (it is then absent
# from `after`): such a value can't be judged, so no rule fires on it.
unknown(rc, attribute) if object.get(rc, ["after_unknown", attribute], false) == true

# A setting the plan leaves off: false (some attributes are strings: "false"), or
# null when it is not unknown, i.e. unset in the configuration. Unset means the AWS
# default, which is "off" for every setting the rules ask about with this helper.
off(rc, attribute) if setting_off(rc.after[attribute], object.get(rc, ["after_unknown", attribute], false))

# `value` is defined only when the attribute is in `after` (a null value is defined).
setting_off(value, _) if is_false(value)

setting_off(value, unknown_mark) if {
	value == null
	unknown_mark != true
}

is_false(value) if value == false

is_false(value) if value == "false"

# How an off setting reads in a message.
shown_off(rc, attribute) := "false" if is_false(rc.after[attribute])

else := "not set (AWS default: off)"

# A value that is present: not null and not the empty string.
present(value) if {
	value != null
	value != ""
}

# The configuration names the attribute (as a constant or an expression with
# references), itself or any block nested under it.
configured(rc, attribute) if {
	paths := object.keys(rc.config)
	configured_path(paths, attribute)
}

# One builtin call rather than a helper per path: rego-cpp runs each call of a Rego
# function as slowly as a dozen statements.
configured_path(paths, attribute) if attribute in paths

configured_path(paths, attribute) if strings.any_prefix_match(paths, [concat("", [attribute, "["]), concat("", [attribute, "."])])

# The attribute is left out of the configuration, so AWS's default applies. Only
# decided when the resource's configuration is known at all: an empty `config`
# means it could not be matched to the plan, and then nothing can be told.
unset(rc, attribute) if {
	count(object.get(rc, "config", {})) > 0
	not configured(rc, attribute)
}

as_list(value) := value if is_array(value)

else := [value]

# ---------------------------------------------------------------- addresses

# The address the resource's own module uses for it (`aws_s3_bucket.b` for
# `module.data.aws_s3_bucket.b`), without an instance key (`[0]`, `["x"]`):
# configuration references are written that way.
config_address(rc) := regex.replace(relative_address(rc), `\[[^\]]*\]$`, "")

relative_address(rc) := trim_prefix(rc.address, concat("", [rc.module_address, "."])) if rc.module_address != ""

else := rc.address

# `other`'s attribute refers to `rc` in the configuration (same module).
refers_to(other, attribute, rc) if {
	object.get(other, "module_address", "") == object.get(rc, "module_address", "")
	target := config_address(rc)
	some ref in object.get(other, ["config", attribute, "references"], [])
	reference_to(ref, target)
}

reference_to(ref, target) if ref == target

reference_to(ref, target) if startswith(ref, concat("", [target, "."]))

reference_to(ref, target) if startswith(ref, concat("", [target, "["]))

# ---------------------------------------------------------------- environment

prod if lower(object.get(input, ["environment", "tier"], "")) in {"prod", "production"}

# ---------------------------------------------------------------- policy documents

# The statements of a policy document held as a JSON string. Undefined when the
# document is unknown at plan time or not valid JSON: nothing to judge then.
statements(document) := as_list(json.unmarshal(document).Statement) if {
	is_string(document)
	json.is_valid(document)
}

# A statement that lets anyone in: Effect Allow to Principal "*" (or {"AWS": "*"},
# {"AWS": ["*"]}), unless a condition ties it to specific callers — the usual way to
# let an AWS service (S3 events, SNS) in with Principal "*" and aws:SourceArn.
public_statement(statement) if {
	statement.Effect == "Allow"
	public_principal(statement.Principal)
	not restricted_by_condition(statement)
}

public_principal(principal) if principal == "*"

public_principal(principal) if {
	is_object(principal)
	some value in principal
	"*" in as_list(value)
}

# Condition keys that pin a statement to known accounts, organizations, networks
# or source resources (compared in lower case).
restricting_condition_keys := {
	"aws:sourcearn",
	"aws:sourceaccount",
	"aws:sourceowner",
	"aws:sourcevpc",
	"aws:sourcevpce",
	"aws:sourceip",
	"aws:principalorgid",
	"aws:principalorgpaths",
	"aws:principalaccount",
	"aws:principalarn",
}

restricted_by_condition(statement) if {
	some operator in object.keys(statement.Condition)
	values_by_key := statement.Condition[operator]
	some key in object.keys(values_by_key)
	lower(key) in restricting_condition_keys
	not matches_anything(values_by_key[key])
}

# A condition value that lets everyone through after all.
matches_anything(values) if {
	some value in as_list(values)
	value in {"*", "0.0.0.0/0", "::/0"}
}

# A statement's actions, for messages.
shown_actions(statement) := concat(", ", [text(a) | some a in as_list(statement.Action)]) if statement.Action

else := "any action (NotAction)"

# ---------------------------------------------------------------- text

# Any value as message text: strings as they are, anything else as JSON.
text(value) := value if is_string(value)

else := json.marshal(value)

# The parts, as text, one after the other: join(["port ", 22]) is "port 22".
join(parts) := concat("", [text(p) | some p in parts])
