"""Date and time formats per language (settings.FORMAT_MODULE_PATH), over Django's own.

Pages show three kinds of value, each in one named format: a date
(SHORT_DATE_FORMAT), a date with a time (SHORT_DATETIME_FORMAT) and a time
(TIME_FORMAT). DATE_FORMAT and DATETIME_FORMAT say the same, so a value rendered
without a format name looks like the rest of the page. What a module leaves out
comes from Django's locale.
"""
