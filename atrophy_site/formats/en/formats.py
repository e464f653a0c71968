"""English formats: whole month names, day first ("25 November 2026")."""

DATE_FORMAT = "j F Y"

# Staff pages: one date-and-time format everywhere ("30 November 2026, 09:00"), the 24-hour
# clock as clinics write it, instead of Django's American default ("Nov. 30, 2026, 9 a.m.").
DATETIME_FORMAT = "j F Y, H:i"
