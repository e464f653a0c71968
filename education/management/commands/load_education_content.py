"""Load the Learn pages from education/content/: run after every `migrate` (setup and deploy).

It creates what is missing and updates what changed, so running it again is safe."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from education.loader import CONTENT_DIR, ContentError, load_content


class Command(BaseCommand):
    help = (
        "Create or update the education topics and glossary from the content files. Topics and "
        "terms are matched by slug; a topic's sections and sources are replaced by the file's, "
        "so corrections made in the admin to those topics are overwritten. Others are untouched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--content-dir",
            type=Path,
            default=CONTENT_DIR,
            help=(
                "Folder holding topics/*.md and glossary.yaml, and <language>/ folders of "
                "translations (default: %(default)s)."
            ),
        )

    def handle(self, *args, content_dir: Path, **options):
        if not (content_dir / "topics").is_dir():
            raise CommandError(f"No topics/ folder in {content_dir}")
        try:
            report = load_content(content_dir)
        except ContentError as error:
            raise CommandError(f"Content not loaded: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {report.topics_created + report.topics_updated} topics "
                f"({report.topics_created} new, {report.topics_updated} updated) and "
                f"{report.glossary_terms} glossary terms."
            )
        )
        for language, count in report.translations.items():
            self.stdout.write(self.style.SUCCESS(f"Loaded {count} topics in {language}."))
