from django.urls import path

from cobranza.hygiene import views

app_name = "hygiene"

urlpatterns = [
    path("", views.finding_list, name="findings"),
    path("solicitudes/", views.request_list, name="requests"),
    path("solicitudes/<int:pk>/", views.request_detail, name="request_detail"),
    path("solicitudes/<int:pk>/resolver/", views.request_resolve, name="request_resolve"),
    path("solicitudes/<int:pk>/rechazar/", views.request_reject, name="request_reject"),
    path("patronos/<str:employer_number>/solicitar/", views.request_create, name="request_create"),
    path("vencidas/", views.overdue_list, name="overdue"),
    path("reportes/", views.reports, name="reports"),
    path("reportes.xlsx", views.reports_excel, name="reports_excel"),
]
