from django import template

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """Format seconds as "45 s", "3 min 20 s" or "1 h 05 min"; a dash for no value."""
    if seconds is None:
        return "–"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


@register.filter
def share(fraction) -> str:
    """Format a fraction as a whole percentage; a dash for no value."""
    return "–" if fraction is None else f"{fraction:.0%}"


@register.filter
def tenths(number) -> str:
    """Format a number with one decimal place, dropping ".0"."""
    return f"{number:.1f}".removesuffix(".0")


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
