from django.urls import path

from cobranza.employers import views, views_import

app_name = "employers"
urlpatterns = [
    path("", views.employer_list, name="list"),
    path("importar/", views_import.import_upload, name="import"),
    path("<str:employer_number>/", views.employer_detail, name="detail"),
]
