"""What the index does after the request: a company's tickets rewritten when its name or CNPJ
(which its tickets are found by) changed — there may be thousands."""

from django_tasks import task


@task()
def index_company_task(company_id: int) -> None:
    from balcao.search.actions import index_company_tickets

    index_company_tickets(company_id)
