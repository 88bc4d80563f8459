"""Accounts, login, roles and the one permission function."""
