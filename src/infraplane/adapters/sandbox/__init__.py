"""The sandbox cloud: a local AWS emulator (moto plus infraplane's fidelity patches) to apply blueprints against."""
