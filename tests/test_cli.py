"""The `balcao` command decides per command what the process is before Django starts."""

import os

import pytest


@pytest.mark.parametrize(
    ("command", "environment", "pooled"),
    [(["worker"], "1", "0"), (["run"], None, "1"), (["serve"], "0", "0"), (["demo"], None, None)],
)
def test_only_the_web_server_pools_its_connections(monkeypatch, command, environment, pooled):
    """`balcao run` passes DB_POOL on to the worker it starts, and an operator may set it for
    every process: the worker never pools (RQ forks its scheduler from it); it keeps its one
    connection between jobs instead."""
    from django.core import management

    from balcao import cli

    monkeypatch.setattr(management, "execute_from_command_line", lambda argv: None)
    monkeypatch.setenv("DB_POOL", environment or "")  # put back as it was, whatever main does
    if environment is None:
        monkeypatch.delenv("DB_POOL")
    monkeypatch.setenv("DB_KEPT", "")  # likewise
    monkeypatch.delenv("DB_KEPT")
    cli.main(command)
    assert os.environ.get("DB_POOL") == pooled
    assert os.environ.get("DB_KEPT") == ("1" if command == ["worker"] else None)
