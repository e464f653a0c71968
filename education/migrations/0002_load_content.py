"""Load the topics and glossary shipped in education/content/ (see education/loader.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from education.loader import load_content

    load_content(apps=apps, translations=False)  # translations: 0004_load_translations


class Migration(migrations.Migration):
    dependencies = [("education", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
