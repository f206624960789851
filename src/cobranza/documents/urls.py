from django.urls import path

from cobranza.documents import views

app_name = "documents"
urlpatterns = [
    path("verificar/", views.verify, name="verify"),
    path("documentos/<str:number>/archivo", views.document_download, name="download"),
]
