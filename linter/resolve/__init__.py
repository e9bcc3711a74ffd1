"""Resolution: includes, defines, conditionals and placeholders, as the servers apply them."""
