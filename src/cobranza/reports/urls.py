from django.urls import path

from cobranza.reports import views

app_name = "reports"
urlpatterns = [
    path("mis-resultados/", views.my_results, name="my_results"),
    path("metas/", views.goals_page, name="goals"),
    path("metas.xlsx", views.goals_xlsx, name="goals_xlsx"),
    path("metas.pdf", views.goals_pdf, name="goals_pdf"),
]
