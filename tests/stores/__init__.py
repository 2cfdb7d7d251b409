"""Stores written for the tests, each in another style than the bundled demo shop."""
