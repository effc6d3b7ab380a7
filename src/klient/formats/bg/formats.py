"""Bulgarian: '02.12.2026 г. 15:15 ч.' -- the Bulgarian convention: day.month.year followed
by «г.» (година), a 24-hour time followed by «ч.» (часа). Django's bg locale has no
SHORT_DATETIME_FORMAT, so without this module Bulgarian pages fell back to the US
'12/02/2026 3:15 p.m.'."""

DATE_FORMAT = "d.m.Y г."
SHORT_DATE_FORMAT = "d.m.Y г."
DATETIME_FORMAT = "d.m.Y г. H:i ч."
SHORT_DATETIME_FORMAT = "d.m.Y г. H:i ч."
TIME_FORMAT = "H:i ч."
