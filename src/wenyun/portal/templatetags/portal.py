from django import template

from wenyun.portal.nav import portal_links as _portal_links

register = template.Library()


@register.simple_tag
def portal_links():
    return _portal_links()
