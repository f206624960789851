from django.urls import path

from cobranza.publications import views

app_name = "publications"

urlpatterns = [
    path("", views.index, name="index"),
    path("candidatos/", views.candidates, name="candidates"),
    path("preparar/", views.prepare, name="prepare"),
    path("regularizaciones/", views.regularizations, name="regularizations"),
    path("reportes/", views.reports, name="reports"),
    path("reportes.xlsx", views.reports_excel, name="reports_excel"),
    path("reportes.pdf", views.reports_pdf, name="reports_pdf"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/avisos/", views.notify, name="notify"),
    path("<int:pk>/avisos.pdf", views.notices_pdf, name="notices_pdf"),
    path("<int:pk>/respuestas/<int:entry_pk>/", views.reply, name="reply"),
    path("<int:pk>/aprobar/", views.approve, name="approve"),
    path("<int:pk>/anular/", views.cancel, name="cancel"),
    path("<int:pk>/lista.pdf", views.list_pdf, name="list_pdf"),
    path("<int:pk>/lista.csv", views.list_csv, name="list_csv"),
]
