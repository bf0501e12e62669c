from django.db import connection
from django.http import HttpResponse


def health(request):
    """Liveness and database check for load balancers; the floor of the page benchmark."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
