"""`{% kept key %}…{% endkept %}`: a part of a page kept as HTML under `key` (a key of
`directives.caching`, which a change moves), rendered only when not found. With no key (the
list cache off) the part is rendered each time. `{% kept key values %}` renders the part with
what the function `values` returns, called only then: a page found kept computes nothing.

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
    def __init__(
        self, nodelist: template.NodeList, key: FilterExpression, values: FilterExpression | None
    ) -> None:
        self.nodelist = nodelist
        self.key = key
        self.values = values

    def _render(self, context: Context) -> str:
        if self.values is None:
            return str(self.nodelist.render(context))
        # A callable in the context is called when resolved: only when the part is rendered.
        with context.push(**self.values.resolve(context)):
            return str(self.nodelist.render(context))

    def render(self, context: Context) -> SafeString:
        key = self.key.resolve(context)
        if not key:
            return mark_safe(self._render(context))  # noqa: S308 - rendered by the template
        # What the part renders is already escaped by the template language.
        return mark_safe(caching.kept_list(key, lambda: self._render(context)))  # noqa: S308


@register.tag("kept")
def do_kept(parser: Parser, token: Token) -> KeptNode:
    """`{% kept key %}` or `{% kept key values %}`: `values`, a function that returns the part's
    context (a dict), is called only when the part is rendered."""
    bits = token.split_contents()
    if len(bits) not in (2, 3):
        raise template.TemplateSyntaxError("{% kept key [values] %} takes a key and its values")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    values = parser.compile_filter(bits[2]) if len(bits) == 3 else None
    return KeptNode(nodelist, parser.compile_filter(bits[1]), values)
