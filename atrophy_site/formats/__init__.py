"""Date formats per language (FORMAT_MODULE_PATH), where Django's own do not suit a patient.

Only English changes: "25 November 2026" rather than Django's "Nov. 25, 2026", so no month is
shortened. Spanish keeps Django's "25 de noviembre de 2026".
"""
