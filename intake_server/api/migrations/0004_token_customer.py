"""Every token belongs to a customer of the register (``intake_server.customers``).

The customers of existing tokens are registered with the company their token named (or
none, if it named none), sector "other" and no AV-Vertrag on file, which the console
then points out until an administrator completes them. Entries keep the company they
were hashed with.
"""

import django.db.models.deletion
from django.db import migrations, models

from intake_server.folding import number_key


def register_token_customers(apps, schema_editor):
    Token = apps.get_model("api", "Token")
    Customer = apps.get_model("customers", "Customer")
    for token in Token.objects.order_by("pk"):
        key = number_key(token.customer_number) or f"TOKEN{token.pk}"
        customer = Customer.objects.filter(key=key).first()
        if customer is None:
            customer = Customer.objects.create(
                number=token.customer_number, key=key, company=token.company, sector="other"
            )
        token.customer = customer
        token.save(update_fields=["customer"])


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0003_ledger_format_2"),
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="token",
            name="customer",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tokens",
                to="customers.customer",
            ),
        ),
        migrations.RunPython(register_token_customers, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="token",
            name="customer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tokens",
                to="customers.customer",
            ),
        ),
        migrations.RemoveField(model_name="token", name="company"),
    ]
