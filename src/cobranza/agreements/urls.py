from django.urls import path

from cobranza.agreements import views

app_name = "agreements"
urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("revision/", views.agreements_check_all, name="check_all"),
    path("centro-de-llamadas/", views.call_list, name="call_list"),
    path("centro-de-llamadas/resultados/", views.call_import, name="call_import"),
    path("reportes/", views.reports, name="reports"),
    path("patrono/<str:employer_number>/opciones/", views.employer_options, name="options"),
    path("patrono/<str:employer_number>/elaborar/", views.agreement_draft, name="draft"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/aprobar/", views.agreement_approve, name="approve"),
    path("<int:pk>/anular/", views.agreement_cancel, name="cancel"),
    path("<int:pk>/reestructurar/", views.agreement_restructure, name="restructure"),
    path("<int:pk>/prima/", views.agreement_down_payment, name="down_payment"),
    path("<int:pk>/revisar/", views.agreement_check, name="check"),
    path("<int:pk>/llamada/", views.agreement_call, name="call"),
    path("<int:pk>/convenio.pdf", views.agreement_pdf, name="pdf"),
]
