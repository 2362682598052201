"""Errors raised by kl_core for input a person can fix."""

__all__ = ["DataError"]


class DataError(ValueError):
    """Input that cannot be used; the message says what is wrong and what to do."""
