from django import template

register = template.Library()


@register.filter
def problem_lines(errors) -> list[str]:
    """A refused report's 400 body (``{"field": ["message"], "answers": {"V01": [...]}}``,
    ``findings`` a list per finding) as lines ``field: message`` for the SMS log."""
    lines: list[str] = []

    def walk(value, path):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, (*path, str(key)))
        elif isinstance(value, list) and value and not all(isinstance(v, str) for v in value):
            for index, inner in enumerate(value, start=1):
                walk(inner, (*path, f"#{index}"))
        elif isinstance(value, list):
            lines.extend(f"{'.'.join(path)}: {message}" for message in value)
        elif value:
            lines.append(f"{'.'.join(path)}: {value}")

    walk(errors or {}, ())
    return lines
