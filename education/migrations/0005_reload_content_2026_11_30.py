"""Content release of 2026-11-30: urgent-sign wording on the Learn pages (English and Spanish).

Databases that already ran 0002 and 0004 keep the old text until the content is loaded again, so
this release reloads education/content/ with the same loader (see education/loader.py): topics
and glossary words are matched by slug and updated in place.

Frozen: this migration once called the content loader (education/loader.py), so it ran today's
code against an old schema. The content is now loaded by a management command after `migrate`
(`manage.py load_education_content`: scripts/setup.sh, the README's deploy steps and the test
database do it), and this migration does nothing. It stays so existing databases keep their
migration history.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("education", "0004_load_translations")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
