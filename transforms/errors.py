"""The one root of the errors a user can fix: `UserError`, whose message alone tells the user what to fix.

The command line prints such an error as one line and exits 1 (a traceback only with --debug); any other exception
is a bug and is reported as one. This module imports nothing, so every package may use it (it sits on the lowest
floor) and `civic-ideas --help` stays light."""

from __future__ import annotations


class UserError(Exception):
    """An error whose message alone tells the user what to fix (a setting, a file, a token, the warehouse)."""
