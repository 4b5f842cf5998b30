# Arabic, written with Western digits (0-9) as the mission's other languages write them: the
# separators of CLDR's Arabic with Latin digits (94.1, 10,101), not Django's Maghreb ones
# (94,1 and 10.101), and the 24-hour clock every other language of the mission uses (Django's
# Arabic has "g:i A" and no date-and-time format at all, which fell back to English).
# Month names still come from Django's Arabic catalog.
DATE_FORMAT = "j F، Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F، Y H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 6  # Saturday
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
