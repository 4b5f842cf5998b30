# Chinese (simplified): Django groups digits by four with no separator (10101 registered
# voters read as one word); CLDR's Chinese, and the mission's press, write 10,101.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
