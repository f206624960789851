from django.urls import path

from cobranza.legal import views

app_name = "legal"

urlpatterns = [
    path("", views.index, name="index"),
    path("expedientes/<int:case_pk>/remitir/", views.request_referral, name="request"),
    path("remisiones/<int:pk>/", views.detail, name="detail"),
    path("remisiones/<int:pk>/aprobar/", views.approve, name="approve"),
    path("remisiones/<int:pk>/devolver/", views.return_referral, name="return"),
    path("remisiones/<int:pk>/aceptar/", views.accept, name="accept"),
    path("remisiones/<int:pk>/devolver-juridico/", views.legal_return, name="legal_return"),
    path("remisiones/<int:pk>/pasos/", views.step, name="step"),
    path("remisiones/<int:pk>/paquete/", views.package, name="package"),
    path("informes/", views.reports, name="reports"),
    path("informes.xlsx", views.reports_xlsx, name="reports_xlsx"),
    path("informes.pdf", views.reports_pdf, name="reports_pdf"),
]
