import pytest

from balcao.customers.actions import do_load_default_profile


@pytest.fixture(autouse=True)
def _tasks_recorded(settings):
    """Tasks are recorded, not run, unless a test runs them: tests assert what is scheduled."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_throttles(settings):
    """Throttles count in the shared cache. The database's table is rolled back with each
    test; Redis (REDIS_URL) is emptied, so that every test starts with no failures."""
    if "redis" in settings.CACHES["default"]["BACKEND"]:
        from django.core.cache import cache

        cache.clear()


@pytest.fixture
def tasks():
    from django_tasks import default_task_backend

    return default_task_backend


@pytest.fixture
def profile(db):
    do_load_default_profile()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
