"""wsgilint's rules: one module per rule, each exposing RULE (see wsgilint.registry)."""
