"""Organisations, people and regions: who cooperates."""
