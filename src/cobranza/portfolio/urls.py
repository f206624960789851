from django.urls import path

from cobranza.portfolio import views

app_name = "portfolio"
urlpatterns = [
    path("", views.portfolio_index, name="index"),
    path("reasignar/", views.reassign, name="reassign"),
    path("suplencias/", views.covers, name="covers"),
    path("sin-asignar/", views.unassigned, name="unassigned"),
    path("sin-asignar/asignar/", views.distribute, name="distribute"),
]
