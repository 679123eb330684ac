"""Users, roles, login, password reset."""
