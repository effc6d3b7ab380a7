"""English: '2 Dec 2026, 15:15'. Day before month, as the ru/bg pages put it, with the
month named so nobody reads 02/12 as February; a 24-hour clock, as elsewhere in Klient."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
