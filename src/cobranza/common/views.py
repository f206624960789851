from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters

from cobranza.common import roles
from cobranza.common.errors import ApplicationError
from cobranza.common.forms import OwnPasswordChangeForm
from cobranza.security.services import SESSION_MUST_CHANGE
from cobranza.security.services import password_change as password_change_service
from cobranza.security.validators import RoleAwareMinimumLengthValidator

# Where each role starts its day; the first role of the user that has one wins.
HOME_BY_ROLE = (
    (roles.Role.COLLECTOR, "cases:worklist"),
    (roles.Role.CALL_CENTER, "agreements:call_list"),
    (roles.Role.SERVICE_DESK, "desk:index"),
    (roles.Role.LEGAL, "legal:index"),  # the legal unit's work page (issue 11)
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    for role, url_name in HOME_BY_ROLE:
        if roles.has_role(request.user, role):
            return redirect(url_name)
    return redirect("employers:list")


@sensitive_post_parameters()
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Every signed-in user changes their own password here (navbar: the user's name).

    Also the only page a user sees after an administrator set their password, until they choose
    their own. The validators of settings.AUTH_PASSWORD_VALIDATORS apply (12 characters for staff).
    """
    forced = bool(request.session.get(SESSION_MUST_CHANGE))
    form = OwnPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = password_change_service(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            update_session_auth_hash(request, user)
            request.session.pop(SESSION_MUST_CHANGE, None)
            messages.success(
                request, "Su contraseña fue cambiada. Los tokens de API anteriores ya no sirven."
            )
            return redirect("home")
    min_length = RoleAwareMinimumLengthValidator().min_length_for(request.user)
    return render(
        request,
        "registration/password_change.html",
        {"form": form, "forced": forced, "min_length": min_length},
    )


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.html", status=500)
