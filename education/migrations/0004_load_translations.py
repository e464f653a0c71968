"""Load the translated topics and glossary words in education/content/<language>/.

0002 already ran on existing databases, so the translations arrive in a migration of their own
(see education/loader.py, load_translations).
"""

from django.db import migrations


def load(apps, schema_editor):
    from education.loader import load_translations

    load_translations(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("education", "0003_translations")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
