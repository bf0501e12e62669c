"""Help articles in the client area (R16). Reading is public, as in any help centre, so a
link to an article works for anyone; answering "Este artigo foi útil para você?" takes a
signed-in customer contact, so each reader counts once. Drafts are 404 except to staff."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from balcao.core.errors import ActionRefused, NotFound
from balcao.customers.selectors import get_contact
from balcao.kb.actions import do_answer_article
from balcao.kb.forms import AnswerForm
from balcao.kb.selectors import get_article, list_articles, reader_answer


def _know_reader(request) -> None:
    """``request.contact`` for the client area's menu and for who may answer."""
    request.contact = get_contact(request.user)


def _article(request, slug: str):
    try:
        return get_article(request.user, slug)
    except NotFound:
        raise Http404 from None


@require_GET
def article_list(request):
    _know_reader(request)
    q = request.GET.get("q", "").strip()
    return render(
        request,
        "kb/article_list.html",
        {"articles": list(list_articles(request.user, q=q)), "q": q},
    )


def _feedback_context(request, article) -> dict:
    return {
        "article": article,
        "answer": reader_answer(request.user, article) if request.contact else None,
    }


@require_GET
def article_page(request, slug: str):
    _know_reader(request)
    article = _article(request, slug)
    return render(request, "kb/article.html", _feedback_context(request, article))


@require_POST
def answer(request, slug: str):
    """Sim or Não; answering again changes the reader's answer. Without JavaScript the
    page comes back with the thanks; with htmx only the feedback box is swapped."""
    url = reverse("kb:article", args=[slug])
    if not request.user.is_authenticated:
        if request.htmx:
            return HttpResponseClientRedirect(redirect_to_login(url).url)
        return redirect_to_login(url)
    _know_reader(request)
    article = _article(request, slug)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    try:
        given = do_answer_article(
            article, reader=request.user, helpful=form.cleaned_data["helpful"]
        )
    except ActionRefused:
        raise Http404 from None
    if request.htmx:
        return render(request, "kb/_feedback.html", {"article": article, "answer": given})
    return redirect(f"{url}#feedback")
