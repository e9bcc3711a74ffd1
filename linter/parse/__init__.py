"""Parsers: text in, syntax trees with exact source offsets out. They know no rules."""
