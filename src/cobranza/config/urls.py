from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from cobranza.api.api import api
from cobranza.common import views as common_views

admin.site.site_header = "Cobranza — administración"
admin.site.site_title = "Cobranza"
admin.site.index_title = "Administración del sistema"

urlpatterns = [
    path("", common_views.home, name="home"),
    path("cuenta/", include("cobranza.common.urls")),
    path("patronos/", include("cobranza.ledger.urls")),
    path("patronos/", include("cobranza.employers.urls")),
    path("expedientes/", include("cobranza.cases.urls")),
    path("cartera/", include("cobranza.portfolio.urls")),
    path("convenios/", include("cobranza.agreements.urls")),
    path("depuracion/", include("cobranza.hygiene.urls")),
    path("publicaciones/", include("cobranza.publications.urls")),
    path("auditoria/", include("cobranza.common.audit_urls")),
    path("informes/", include("cobranza.reports.urls")),
    path("atencion/", include("cobranza.desk.urls")),
    path("juridico/", include("cobranza.legal.urls")),
    path("", include("cobranza.documents.urls")),  # public /verificar/ and /documentos/<n>/archivo
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

handler403 = "cobranza.common.views.error_403"
handler404 = "cobranza.common.views.error_404"
handler500 = "cobranza.common.views.error_500"
