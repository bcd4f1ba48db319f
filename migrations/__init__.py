"""Alembic migrations; a package so installed copies of the bot can find them."""
