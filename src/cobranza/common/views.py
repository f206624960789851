from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from cobranza.common import roles

# Where each role starts its day; the first role of the user that has one wins.
HOME_BY_ROLE = (
    (roles.Role.COLLECTOR, "cases:worklist"),
    (roles.Role.CALL_CENTER, "agreements:call_list"),
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    for role, url_name in HOME_BY_ROLE:
        if roles.has_role(request.user, role):
            return redirect(url_name)
    return redirect("employers:list")


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.html", status=500)
