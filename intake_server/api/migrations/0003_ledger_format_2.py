"""Ledger entry format 2: the server's facts and the entry's position inside its hash.

Entries stored before keep format 1 (``version`` 1, no ``server_facts``) and still
verify. What the ledger's verification found is kept in ``Damage`` and ``LedgerWatch``.
"""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0002_company_trigram_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='Damage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.BigIntegerField(db_index=True)),
                ('receipt_id', models.CharField(blank=True, max_length=16)),
                ('session_id', models.CharField(blank=True, db_index=True, max_length=64)),
                ('entries', models.PositiveIntegerField(default=1)),
                ('what', models.TextField()),
                ('found_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['seq'],
            },
        ),
        migrations.CreateModel(
            name='LedgerWatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.BigIntegerField(default=0)),
                ('entry_hash', models.CharField(default='', max_length=64)),
                ('checked_at', models.DateTimeField(null=True)),
                ('full_at', models.DateTimeField(null=True)),
            ],
        ),
        migrations.AddField(
            model_name='confirmation',
            name='server_facts',
            field=models.TextField(blank=True, default=''),
        ),
        migrations.AddField(
            model_name='confirmation',
            name='version',
            field=models.PositiveSmallIntegerField(default=1),
        ),
    ]
