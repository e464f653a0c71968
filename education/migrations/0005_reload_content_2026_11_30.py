"""Content release of 2026-11-30: urgent-sign wording on the Learn pages (English and Spanish).

Databases that already ran 0002 and 0004 keep the old text until the content is loaded again, so
this release reloads education/content/ with the same loader (see education/loader.py): topics
and glossary words are matched by slug and updated in place.
"""

from django.db import migrations


def load(apps, schema_editor):
    from education.loader import load_content

    load_content(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("education", "0004_load_translations")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
