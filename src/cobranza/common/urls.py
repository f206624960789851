from django.contrib.auth import views as auth_views
from django.urls import path

from cobranza.common import views
from cobranza.common.forms import LoginForm

urlpatterns = [
    path(
        "ingresar/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("salir/", auth_views.LogoutView.as_view(), name="logout"),
    path("contrasena/", views.password_change, name="password_change"),
]
