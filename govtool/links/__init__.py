"""Links between areas: agreements ↔ bodies ↔ catalogue entries."""
