"""The policy engine (Rego, evaluated in-process with regopy) and bundle loading."""
