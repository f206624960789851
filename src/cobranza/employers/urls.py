from django.urls import path

from cobranza.employers import views, views_contacts, views_import

app_name = "employers"
urlpatterns = [
    path("", views.employer_list, name="list"),
    path("importar/", views_import.import_upload, name="import"),
    path("<str:employer_number>/", views.employer_detail, name="detail"),
    path("<str:employer_number>/contactos/", views_contacts.contacts_page, name="contacts"),
    path(
        "<str:employer_number>/contactos/<int:pk>/corregir/",
        views_contacts.contact_edit,
        name="contact_edit",
    ),
    path(
        "<str:employer_number>/contactos/<int:pk>/retirar/",
        views_contacts.contact_retire,
        name="contact_retire",
    ),
]
