"""The two partial indexes of the unmarked clocks (``sla.selectors.sla_counts``) with conditions
that hold no state: SQLite uses a partial index only when the query's own terms imply its
condition as written, and the counts' ``state IN (?, ?)``, bound as parameters, never implied
``state IN ('running', 'paused')`` — SQLite read every clock of each department instead (34 ms of
the console home at 100,000 tickets). The query keeps its states; a stopped clock has neither
instant, so the indexes hold the same live clocks as before. PostgreSQL used them either way.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0009_user_staff'),
        ('sla', '0006_breached_counts'),
        ('tickets', '0012_number_sequence'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='ticketsla',
            name='sla_unmarked_due',
        ),
        migrations.RemoveIndex(
            model_name='ticketsla',
            name='sla_unmarked_risk',
        ),
        migrations.AddIndex(
            model_name='ticketsla',
            index=models.Index(condition=models.Q(('first_response_breached', False), ('next_response_breached', False), ('resolution_breached', False), ('next_due__isnull', False)), fields=['department', 'next_due'], name='sla_unmarked_due'),
        ),
        migrations.AddIndex(
            model_name='ticketsla',
            index=models.Index(condition=models.Q(('first_response_breached', False), ('next_response_breached', False), ('resolution_breached', False), ('at_risk_from__isnull', False)), fields=['department', 'at_risk_from'], name='sla_unmarked_risk'),
        ),
    ]
