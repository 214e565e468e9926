"""Environment orchestration: plan and apply component graphs in dependency order."""
