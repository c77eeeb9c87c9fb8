"""The customer register."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name='Customer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=64, unique=True, verbose_name='customer number')),
                ('key', models.CharField(editable=False, max_length=64, unique=True)),
                ('company', models.CharField(max_length=200, verbose_name='company')),
                ('search_name', models.CharField(db_index=True, default='', editable=False, max_length=200)),
                ('sector', models.CharField(choices=[('health', 'Health care'), ('legal', 'Legal'), ('tax', 'Tax advice'), ('finance', 'Finance'), ('other', 'Other')], default='other', max_length=16, verbose_name='sector')),
                ('av_signed_on', models.DateField(blank=True, null=True, verbose_name='AV-Vertrag signed on')),
                ('av_document', models.CharField(blank=True, max_length=300, verbose_name='AV-Vertrag document')),
                ('notes', models.TextField(blank=True, max_length=2000, verbose_name='notes')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
            ],
            options={
                'verbose_name': 'customer',
                'verbose_name_plural': 'customers',
                'ordering': ['number'],
            },
        ),
    ]
