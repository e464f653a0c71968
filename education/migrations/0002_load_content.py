"""Load the topics and glossary shipped in education/content/ (see education/loader.py).

Frozen: this migration once called the content loader (education/loader.py), so it ran today's
code against an old schema. The content is now loaded by a management command after `migrate`
(`manage.py load_education_content`: scripts/setup.sh, the README's deploy steps and the test
database do it), and this migration does nothing. It stays so existing databases keep their
migration history.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("education", "0001_initial")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
