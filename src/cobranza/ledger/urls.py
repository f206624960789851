from django.urls import path, re_path

from cobranza.ledger import views

app_name = "ledger"
urlpatterns = [
    path("<str:employer_number>/estado-de-cuenta.pdf", views.statement_pdf, name="statement_pdf"),
    path("<str:employer_number>/estado-de-cuenta.xlsx", views.statement_xlsx, name="statement_xlsx"),
    # one period's drill-down, fetched on demand by the employer page (issue 15)
    re_path(
        r"^(?P<employer_number>[^/]+)/estado-de-cuenta/periodos/(?P<period>\d{4}-\d{2})/$",
        views.statement_period_detail,
        name="statement_period",
    ),
]
