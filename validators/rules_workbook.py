"""Rules: placeholder until written (see RULE_MODULES)."""

RULES = ()
