"""Rule catalogue, pandera schemas and the validation engine of nianbao."""
