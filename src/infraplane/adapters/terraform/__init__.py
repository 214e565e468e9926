"""The terraform/tofu runner and what it needs: CLI configuration, provider mirror discovery."""
