from django.http import HttpRequest

from cobranza.common import roles


def navigation(request: HttpRequest) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav_is_admin": roles.is_admin(user),
        "nav_is_head": roles.is_head(user),
        "nav_is_collector": roles.has_role(user, roles.Role.COLLECTOR),
        "nav_can_import": roles.can_import(user),
        "nav_role_labels": roles.role_labels(user),
    }
