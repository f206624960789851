"""The upload page: administrators import files and read every problem; nobody else gets in."""

import io
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cobranza.employers import forms_import
from cobranza.employers.models import ImportBatch
from cobranza.ledger.models import Payment

URL = "/patronos/importar/"
PAYMENTS = "payment_id,employer_number,paid_on,amount,period,channel,reference\n"


def upload(name: str, text: str | bytes) -> SimpleUploadedFile:
    content = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def admin_client(client, importer_admin):
    client.force_login(importer_admin)
    return client


def test_url_name():
    assert reverse("employers:import") == URL


@pytest.mark.django_db
def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_collector_is_forbidden(client, importer_collector):
    client.force_login(importer_collector)
    assert client.get(URL).status_code == 403
    response = client.post(
        URL, {"kind": "payments", "file": upload("pagos.csv", PAYMENTS + "P-1,1,2024-01-01,1\n")}
    )
    assert response.status_code == 403
    assert ImportBatch.objects.count() == 0


@pytest.mark.django_db
def test_admin_sees_the_form_and_the_last_batches(admin_client, registry):
    ImportBatch.objects.create(kind="payments", filename="pagos-enero.csv", rows=10, created=8, skipped=2)
    content = admin_client.get(URL).content.decode()
    assert "Importar datos" in content
    assert 'name="kind"' in content and 'name="file"' in content and 'name="dry_run"' in content
    assert "Solo validar" in content
    assert "Últimas importaciones" in content and "pagos-enero.csv" in content


@pytest.mark.django_db
def test_admin_imports_payments_and_sees_the_counts(admin_client, registry, importer_admin):
    text = (
        PAYMENTS + "P-1,100000001,2024-02-13,204.75,2024-01,banco,NPE-1\nP-2,100000002,2024-02-14,10.00,,,\n"
    )
    response = admin_client.post(URL, {"kind": "payments", "file": upload("pagos.csv", text)})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Importación completada" in content
    assert "Pagos: 2 filas, 2 nuevas, 0 omitidas (ya importadas)" in content
    assert Payment.objects.count() == 2
    batch = ImportBatch.objects.get()
    assert (batch.created_by, batch.filename) == (importer_admin, "pagos.csv")
    # Uploading it again counts nothing twice.
    again = admin_client.post(URL, {"kind": "payments", "file": upload("pagos.csv", text)}).content.decode()
    assert "Pagos: 2 filas, 0 nuevas, 2 omitidas (ya importadas)" in again
    assert Payment.objects.count() == 2


@pytest.mark.django_db
def test_admin_sees_declaration_corrections_counted_apart(admin_client, registry):
    header = "employer_number,period,workers,salary_base,employer_contribution,worker_contribution,filed_on,origin\n"
    first = header + "100000001,2024-01,3,1950.00,146.25,58.50,2024-02-11,employer\n"
    correction = header + "100000001,2024-01,4,2600.00,195.00,78.00,2024-06-03,employer\n"
    admin_client.post(URL, {"kind": "declarations", "file": upload("planillas.csv", first)})
    response = admin_client.post(URL, {"kind": "declarations", "file": upload("correccion.csv", correction)})
    content = response.content.decode()
    assert "Planillas: 1 fila, 0 nuevas, 1 corrección, 0 omitidas (ya importadas)" in content
    assert '<th scope="row" title="Planillas ya registradas' in content and "Correcciones</th>" in content
    assert 'data-testid="import-corrected">1</td>' in content
    batch = ImportBatch.objects.get(filename="correccion.csv")
    assert (batch.created, batch.updated, batch.corrected) == (0, 0, 1)
    listing = admin_client.get(URL).content.decode()
    assert "Correcciones</th>" in listing


@pytest.mark.django_db
def test_admin_sees_every_problem_of_a_rejected_file(admin_client, registry):
    text = PAYMENTS + "P-1,100000001,2024-02-30,204.75,,,\nP-2,999,2024-02-13,-3,,,\n"
    content = admin_client.post(URL, {"kind": "payments", "file": upload("malo.csv", text)}).content.decode()
    assert "El archivo malo.csv tiene 3 errores; no se importó nada." in content
    assert "fecha imposible" in content
    assert "patrono no registrado" in content
    assert "el monto debe ser mayor que cero" in content
    assert "<code>2024-02-30</code>" in content and "<code>-3</code>" in content
    assert Payment.objects.count() == 0 and ImportBatch.objects.count() == 0


@pytest.mark.django_db
def test_dry_run_writes_nothing(admin_client, registry):
    text = PAYMENTS + "P-1,100000001,2024-02-13,204.75,,,\n"
    content = admin_client.post(
        URL, {"kind": "payments", "file": upload("pagos.csv", text), "dry_run": "on"}
    ).content.decode()
    assert "Validación correcta: no se escribió nada" in content
    assert Payment.objects.count() == 0 and ImportBatch.objects.count() == 0


@pytest.mark.django_db
def test_xlsx_upload(admin_client, registry):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id_pago", "numero_patronal", "fecha_pago", "monto"])
    sheet.append(["X-1", 100000001, datetime(2024, 2, 13), 99.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = admin_client.post(URL, {"kind": "payments", "file": upload("pagos.xlsx", buffer.getvalue())})
    assert "Pagos: 1 fila, 1 nueva" in response.content.decode()
    assert str(Payment.objects.get().amount) == "99.50"


@pytest.mark.django_db
def test_upload_written_to_a_temporary_file(admin_client, registry, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # Django spools the upload to disk
    lines = "".join(f"T-{i},100000001,2024-02-13,1.00,,,\n" for i in range(200))
    response = admin_client.post(URL, {"kind": "payments", "file": upload("grande.csv", PAYMENTS + lines)})
    assert "Pagos: 200 filas, 200 nuevas" in response.content.decode()


@pytest.mark.django_db
def test_files_beyond_the_size_limit_are_refused(admin_client, registry, monkeypatch):
    monkeypatch.setattr(forms_import, "MAX_UPLOAD_BYTES", 50)
    text = PAYMENTS + "P-1,100000001,2024-02-13,204.75,,,\n"
    content = admin_client.post(URL, {"kind": "payments", "file": upload("pagos.csv", text)}).content.decode()
    assert "el límite es 50 MB" in content
    assert Payment.objects.count() == 0


@pytest.mark.django_db
def test_other_file_types_are_refused(admin_client, registry):
    content = admin_client.post(
        URL, {"kind": "payments", "file": upload("pagos.pdf", "%PDF-1.4")}
    ).content.decode()
    assert "Solo se aceptan archivos .csv o .xlsx." in content


@pytest.mark.django_db
def test_htmx_post_returns_the_panel_and_refreshes_the_batches(admin_client, registry):
    text = PAYMENTS + "P-1,100000001,2024-02-13,204.75,,,\n"
    response = admin_client.post(
        URL, {"kind": "payments", "file": upload("pagos.csv", text)}, headers={"HX-Request": "true"}
    )
    content = response.content.decode()
    assert "<html" not in content
    assert "Importación completada" in content
    assert 'id="import-batches" class="card" hx-swap-oob="true"' in content
    assert "pagos.csv" in content
