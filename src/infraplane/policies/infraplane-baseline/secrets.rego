# SEC-001, SEC-002: secrets written into the configuration.
#
# A literal secret lives in the repository, in every plan file and in state. What
# is a literal comes from `config`: `{"constant": true}` is text in the .tf file;
# an expression with references (var.x, random_password.p.result) is not. Messages
# name the attribute and why it looks secret, never the value.
package infraplane.baseline.secrets

import rego.v1

import data.infraplane.baseline.lib

# ---------------------------------------------------------------- SEC-001

# Attribute names that hold a secret, matched on the last segment of the path.
secret_attribute_names := {
	"password", "master_password", "secret", "secret_string", "token", "api_key",
	"access_key", "secret_key", "private_key", "auth_token", "client_secret",
}

# ...or ending like one (admin_password, client_secret, master_user_password). Not
# "_token": creation_token and client_token are idempotency keys, not secrets.
secret_attribute_suffixes := ["_password", "_secret", "_api_key", "_access_key", "_secret_key", "_private_key", "_auth_token"]

# infraplane's normalized plan indexes the literal strings by path (constants_by_path):
# each distinct path is judged once, and only the changes setting a secret-looking
# one are read.
deny contains finding if {
	some path, positions in input.plan.constants_by_path
	secret_attribute(path)
	some position in positions
	rc := input.plan.resource_changes[position]
	rc.mode == "managed"
	lib.changing_actions(rc.actions)
	finding := literal_secret(rc, path)
}

# A document without that index: every change's literals are read.
deny contains finding if {
	not input.plan.constants_by_path
	some rc in literal_candidates
	some path, _ in literal_strings(rc)
	secret_attribute(path)
	finding := literal_secret(rc, path)
}

# The changes with a literal under a secret-looking name (or no `constants` to tell
# from), for a document without constants_by_path: a comprehension over positions,
# as a large plan has few such changes.
literal_candidates := [rc |
	some position in candidate_positions
	rc := input.plan.resource_changes[position]
	rc.mode == "managed"
	lib.changing_actions(rc.actions)
]

# Names are judged once per distinct literal path of the plan, not once per literal:
# a large plan repeats the same few paths on every resource of a type.
candidate_positions := with_secret_path | without_constants

with_secret_path := {position |
	some position
	constants := input.plan.resource_changes[position].constants
	some path in secret_literal_paths
	_ = constants[path]
}

secret_literal_paths := {path | some path in literal_paths; secret_attribute(path)}

literal_paths := {path |
	some position
	constants := input.plan.resource_changes[position].constants
	is_object(constants)
	some path in object.keys(constants)
}

# The changes without a `constants` object (a document infraplane did not normalize).
without_constants := {position |
	some position
	rc := input.plan.resource_changes[position]
	not is_object(rc.constants)
}

literal_secret(rc, path) := lib.finding(
	"SEC-001", rc, path,
	lib.join([rc.address, " ", path, " is a literal in the configuration: the secret is in the repository, the plan and the state"]),
	"Reference a variable marked sensitive = true, or a Secrets Manager secret, instead of a literal (for RDS, manage_master_user_password = true lets AWS keep the password); then rotate the exposed secret.",
)

# The configuration's literal non-empty strings: infraplane's normalized plan lists them
# in `constants`; a document without that field is read from `config`.
literal_strings(rc) := rc.constants if is_object(rc.constants)

else := {path: expression.value |
	some path
	expression := rc.config[path]
	expression.constant == true
	is_string(expression.value)
	expression.value != ""
}

secret_attribute(path) if secret_attribute_name(attribute_name(path))

secret_attribute_name(name) if name in secret_attribute_names

secret_attribute_name(name) if {
	some suffix in secret_attribute_suffixes
	endswith(name, suffix)
}

# `master_user_options[0].master_user_password` -> master_user_password; a
# write-only `password_wo` is still a password.
attribute_name(path) := name if {
	segments := split(path, ".")
	last := segments[count(segments) - 1]
	name := trim_suffix(split(last, "[")[0], "_wo")
}

# ---------------------------------------------------------------- SEC-002

# Every environment variable or parameter value the plan sets, as {address, type,
# parameter_type (an SSM parameter's type), attribute, label_parts, name, value, position,
# path}: what `literal` needs (the change's position and the configuration path) is kept
# so it is worked out only for the few values whose shape does not settle it. Arrays
# rather than sets: rego-cpp adds to a set by comparing with every member, which is
# quadratic in the number of values (two equal entries give equal findings, and `deny`
# keeps those once).
entries := array.concat(array.concat(lambda_entries, ecs_entries), ssm_entries)

lambda_entries := [entry |
	some position in lib.positions({"aws_lambda_function"})
	rc := input.plan.resource_changes[position]
	some i
	block := rc.after.environment[i]
	path := lib.join(["environment[", i, "].variables"])
	some name
	value := block.variables[name]
	attribute := concat(".", [path, name])
	entry := {
		"address": rc.address, "type": rc.type, "parameter_type": null, "attribute": attribute,
		"label_parts": [attribute], "name": name, "value": value, "position": position, "path": path,
	}
]

ecs_entries := [entry |
	some position in lib.positions({"aws_ecs_task_definition"})
	rc := input.plan.resource_changes[position]
	json.is_valid(rc.after.container_definitions)
	container := json.unmarshal(rc.after.container_definitions)[_]
	variable := container.environment[_]
	entry := {
		"address": rc.address, "type": rc.type, "parameter_type": null, "attribute": "container_definitions",
		"label_parts": ["container_definitions: container ", container.name, " environment variable ", variable.name],
		"name": variable.name, "value": variable.value, "position": position, "path": "container_definitions",
	}
]

ssm_entries := [entry |
	some position in lib.positions({"aws_ssm_parameter"})
	rc := input.plan.resource_changes[position]
	some attribute in ["value", "insecure_value"]
	value := rc.after[attribute]
	entry := {
		"address": rc.address, "type": rc.type, "parameter_type": object.get(rc, ["after", "type"], null),
		"attribute": attribute, "label_parts": [attribute, " of parameter ", rc.after.name, " (", rc.after.type, ")"],
		"name": rc.after.name, "value": value, "position": position, "path": attribute,
	}
]

# Written in the configuration: a constant, or an expression built from constants
# only (jsonencode({...}), merge of literal maps), which the plan records without
# references and infraplane then finds no configuration entry for.
literal(rc, path) := true if rc.config[path].constant == true

else := true if lib.unset(rc, path)

else := false

literal_entry(entry) if literal(input.plan.resource_changes[entry.position], entry.path)

deny contains finding if {
	some entry in entries
	reason := secret_reason(entry)
	finding := lib.finding_at(
		"SEC-002", entry.address, entry.attribute,
		lib.join([entry.address, " ", lib.join(entry.label_parts), " holds a secret in clear text: ", reason]),
		remediation[entry.type],
	)
}

# Why an entry is a secret, most telling reason first. A value shaped like a
# credential is reported wherever it came from (it is readable by anyone who can
# read the function or task definition); a secret-looking name only for a literal.
secret_reason(entry) := concat("", ["the value looks like ", concat(" and ", sort(kinds))]) if {
	kinds := credential_kinds(entry.value)
	count(kinds) > 0
}

else := "a SecureString parameter with a literal value" if {
	entry.type == "aws_ssm_parameter"
	entry.parameter_type == "SecureString"
	literal_entry(entry)
	real_value(entry.value)
}

else := "the name looks like a secret and the value is a literal" if {
	literal_entry(entry)
	secret_name(entry.name)
	real_value(entry.value)
}

remediation := {
	"aws_lambda_function": "Store the secret in Secrets Manager (or SSM SecureString), pass its ARN in the environment and read it at runtime; rotate the exposed value.",
	"aws_ecs_task_definition": "Move the variable from environment to the container's secrets list (valueFrom = a Secrets Manager or SSM SecureString ARN); rotate the exposed value.",
	"aws_ssm_parameter": "Set the parameter from a variable marked sensitive = true (or value_wo) instead of a literal, and use type = \"SecureString\"; rotate the exposed value.",
}

# Names such as DB_PASSWORD, STRIPE_API_KEY, /app/prod/db-password, but not
# DB_PASSWORD_ARN or TOKEN_URL, which point to a secret rather than hold one.
secret_name(name) if {
	key := upper(replace(name, "-", "_"))
	regex.match(`PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL`, key)
	not regex.match(`_(ARN|NAME|ID|URL|URI|PATH|FILE|HEADER|TTL|LENGTH|EXPIRY|ENABLED|REQUIRED|VERSION)$`, key)
}

# A value worth protecting: not empty, not a pointer to a secret stored elsewhere.
real_value(value) if {
	is_string(value)
	value != ""
	not startswith(value, "arn:")
	not startswith(value, "{{resolve:")
}

credential_patterns := {
	"an AWS access key id": `(^|[^A-Z0-9])(AKIA|ASIA)[0-9A-Z]{16}([^A-Z0-9]|$)`,
	"a private key": `-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----`,
	"a GitHub token": `gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{40,}`,
	"a Slack token": `xox[abposr]-[A-Za-z0-9-]{10,}`,
}

# Text that every match of one of the patterns above contains (keep the two true to each
# other): rego-cpp compiles a pattern at each match, and most values hold none of these,
# so one cheap match decides for them.
credential_text := `AKIA|ASIA|PRIVATE KEY-----|gh|github_pat_|xox`

credential_kinds(value) := kinds if {
	is_string(value)
	regex.match(credential_text, value)
	kinds := {kind |
		some kind
		pattern := credential_patterns[kind]
		regex.match(pattern, value)
	} | aws_secret_key_kind(value)
} else := aws_secret_key_kind(value)

# 40 characters of base64 with upper case, lower case and a digit or / or +: the
# shape of an AWS secret access key (a 40-character hex digest has no upper case).
aws_secret_key_kind(value) := {"an AWS secret access key"} if {
	is_string(value)
	count(value) == 40
	regex.match(`^[A-Za-z0-9/+]{40}$`, value)
	regex.match(`[A-Z]`, value)
	regex.match(`[a-z]`, value)
	regex.match(`[0-9/+]`, value)
}

else := set()
