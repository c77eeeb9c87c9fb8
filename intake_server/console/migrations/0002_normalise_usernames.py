"""Console accounts stored before user names were normalised get their normalised name
(``Anna`` becomes ``anna``), so they can still sign in: sign-in normalises what is typed.

Two accounts that would get the same name both keep theirs, and the migration says so:
the one already normalised signs in, the other must be renamed or removed by an
administrator (``user add`` refuses to create a third).
"""

from typing import Any

from django.conf import settings
from django.db import migrations

from intake_server.console import names


def normalise_usernames(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model(settings.AUTH_USER_MODEL)
    taken = set(model.objects.values_list("username", flat=True))
    for user in model.objects.order_by("pk"):
        name = names.normalise(user.username)
        if name == user.username:
            continue
        if name in taken or not name or len(name) > names.MAX_LENGTH:
            print(f"  Account {user.username!r} keeps its name: {name!r} is taken or not "
                  "a user name. Rename or remove it in the administration to sign in.")
            continue
        taken.discard(user.username)
        taken.add(name)
        user.username = name
        user.save(update_fields=["username"])


class Migration(migrations.Migration):
    dependencies = [
        ("console", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(normalise_usernames, migrations.RunPython.noop)]
