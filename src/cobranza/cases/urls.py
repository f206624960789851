from django.urls import path

from cobranza.cases import views, views_limitation, views_reports, views_work

app_name = "cases"
urlpatterns = [
    path("mi-trabajo/", views_work.worklist_page, name="worklist"),
    path("revision/", views.review_queue, name="review_queue"),
    path("informe/", views_reports.report_page, name="report"),
    path("informe.xlsx", views_reports.report_xlsx, name="report_xlsx"),
    path("informe.pdf", views_reports.report_pdf, name="report_pdf"),
    path("prescripciones/", views_limitation.limitation_page, name="limitation"),
    path("prescripciones.xlsx", views_limitation.limitation_xlsx, name="limitation_xlsx"),
    path("cartas/", views_work.letter_batch_new, name="letter_batch_new"),
    path("cartas/lote/<int:pk>/", views_work.letter_batch, name="letter_batch"),
    path("cartas/lote/<int:pk>/avanzar/", views_work.letter_batch_step, name="letter_batch_step"),
    path("patrono/<str:employer_number>/", views.employer_case, name="employer"),
    path("patrono/<str:employer_number>/abrir/", views.case_open, name="open"),
    path("documentos/<int:pk>/", views.document_download, name="document_download"),
    path("gestiones/<int:pk>/revisar/", views.action_review, name="action_review"),
    path("gestiones/<int:pk>/responder/", views.action_answer, name="action_answer"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/gestion/", views.action_create, name="action_create"),
    path("<int:pk>/documentos/", views.document_upload, name="document_upload"),
    path("<int:pk>/carta/", views.letter_create, name="letter_create"),
    path("<int:pk>/carta/correo/", views.letter_send, name="letter_send"),
    path("<int:pk>/estado/", views.case_change_state, name="change_state"),
]
