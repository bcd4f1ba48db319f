"""Test doubles and request builders shared by the test suite."""
