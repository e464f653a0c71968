"""Load the translated topics and glossary words in education/content/<language>/.

0002 already ran on existing databases, so the translations arrive in a migration of their own
(see education/loader.py, load_translations).

Frozen: this migration once called the content loader (education/loader.py), so it ran today's
code against an old schema. The content is now loaded by a management command after `migrate`
(`manage.py load_education_content`: scripts/setup.sh, the README's deploy steps and the test
database do it), and this migration does nothing. It stays so existing databases keep their
migration history.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("education", "0003_translations")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
