from django.urls import path

from cobranza.desk import views

app_name = "desk"
urlpatterns = [
    path("", views.index, name="index"),
    path("nueva/", views.create, name="create"),
    path("vencidas/", views.overdue, name="overdue"),
    path("trabajador/", views.worker, name="worker"),
    path("reportes/", views.reports, name="reports"),
    path("solvencia/<str:employer_number>/", views.solvency, name="solvency"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/estado", views.transition, name="transition"),
    path("<str:number>/adjuntos", views.attachment_add, name="attachment_add"),
    path("<str:number>/adjuntos/<int:pk>", views.attachment_download, name="attachment"),
]
