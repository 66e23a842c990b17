from django import template

from people.selectors import platform_label

register = template.Library()


@register.filter
def platform(value: str) -> str:
    """An identity's platform as the pages name it: "Hacker News", "E-mail", "webhook status-page"."""
    return platform_label(value)
