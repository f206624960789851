# The outbox of background tasks (issue 10, item 3).

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('task', models.CharField(max_length=200, verbose_name='tarea')),
                ('description', models.CharField(max_length=300, verbose_name='descripción')),
                ('kwargs', models.JSONField(blank=True, default=dict, verbose_name='argumentos')),
                ('state', models.CharField(choices=[('pending', 'Pendiente de enviar'), ('sent', 'Enviada')], default='pending', max_length=10, verbose_name='estado')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='creada el')),
                ('attempts', models.PositiveIntegerField(default=0, verbose_name='intentos de envío')),
                ('last_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='último intento')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='enviada el')),
                ('last_error', models.TextField(blank=True, verbose_name='último error')),
            ],
            options={
                'verbose_name': 'tarea en segundo plano',
                'verbose_name_plural': 'tareas en segundo plano',
                'ordering': ['-pk'],
                'indexes': [models.Index(fields=['state', 'last_attempt_at'], name='outbox_pending_idx')],
            },
        ),
    ]
