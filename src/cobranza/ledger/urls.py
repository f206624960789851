from django.urls import path

from cobranza.ledger import views

app_name = "ledger"
urlpatterns = [
    path("<str:employer_number>/estado-de-cuenta.pdf", views.statement_pdf, name="statement_pdf"),
    path("<str:employer_number>/estado-de-cuenta.xlsx", views.statement_xlsx, name="statement_xlsx"),
]
