from django import template

from oohdesk.security import masking

register = template.Library()

register.filter("mask_destination", masking.mask_destination)
register.filter("mask_text", masking.mask_text)
