"""English formats: whole month names, day first ("25 November 2026")."""

DATE_FORMAT = "j F Y"
