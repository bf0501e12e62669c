from django import template

from balcao.kb.selectors import list_articles

register = template.Library()


@register.inclusion_tag("kb/_index.html", takes_context=True)
def article_index(context):
    """``{% article_index %}``: the help articles the viewer may read, by department."""
    request = context["request"]
    return {"articles": list_articles(request.user), "q": "", "request": request}
