"""`{% kept key %}…{% endkept %}`: a part of a page kept as HTML under `key` (a key of
`directives.caching`, which a change moves), rendered only when not found. With no key (the
list cache off) the part is rendered each time.

Django's own `{% cache %}` keys a fragment by its name and the values given; what it shows
would stay until its timeout after a change. Here the key carries the version that every
change moves, so a part kept is never older than the data it shows.
"""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from .. import caching

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, nodelist: template.NodeList, key: FilterExpression) -> None:
        self.nodelist = nodelist
        self.key = key

    def render(self, context: Context) -> SafeString:
        key = self.key.resolve(context)
        if not key:
            return self.nodelist.render(context)
        # What the part renders is already escaped by the template language.
        return mark_safe(caching.kept_list(key, lambda: str(self.nodelist.render(context))))  # noqa: S308


@register.tag("kept")
def do_kept(parser: Parser, token: Token) -> KeptNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% kept key %} takes one key")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, parser.compile_filter(bits[1]))
