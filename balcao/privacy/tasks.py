"""The retention policy, applied once a day by the worker (``core/periodic.py``)."""

from django_tasks import task


@task()
def apply_retention_task() -> None:
    """Purge what the retention policy no longer keeps; nothing when it keeps everything."""
    from balcao.privacy.actions import do_apply_retention
    from balcao.privacy.selectors import retention_policy

    policy = retention_policy()
    if policy.active:
        do_apply_retention(policy)
