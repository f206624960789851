"""Reference data (branches, sectors) and employers' contacts in the admin.

Employers themselves come from imports (audited there), so their registry fields are read-only
here; contacts are kept by hand. Every save writes an audit event, as services do.
"""

from django.contrib import admin

from cobranza.common.admin import ReadOnlyAdmin
from cobranza.common.audit import record, snapshot
from cobranza.employers.models import Branch, Contact, Employer, ImportBatch, Sector

CONTACT_FIELDS = ("name", "position", "phone", "email", "is_primary")


class AuditedAdmin(admin.ModelAdmin):
    audited_fields: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        before = snapshot(type(obj).objects.get(pk=obj.pk), self.audited_fields) if change else None
        super().save_model(request, obj, form, change)
        record(
            actor=request.user,
            action=f"{obj._meta.model_name}.{'updated' if change else 'created'}",
            obj=obj,
            before=before,
            after=snapshot(obj, self.audited_fields),
            reason="Administración",
        )


@admin.register(Branch)
class BranchAdmin(AuditedAdmin):
    list_display = ("name", "code", "department")
    search_fields = ("name", "code", "department")
    audited_fields = ("code", "name", "department")

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Sector)
class SectorAdmin(AuditedAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    audited_fields = ("code", "name")

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 1
    fields = CONTACT_FIELDS


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ("employer_number", "legal_name", "nit", "branch", "status")
    list_filter = ("status", "branch")
    search_fields = ("employer_number", "nit", "search_text")
    list_select_related = ("branch",)
    inlines = [ContactInline]
    readonly_fields = (
        "employer_number",
        "nit",
        "legal_name",
        "trade_name",
        "sector",
        "branch",
        "address",
        "phone",
        "email",
        "legal_representative",
        "status",
        "registered_on",
    )

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # employers arrive through imports

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        employer = form.instance
        stored = Contact.objects.filter(employer=employer)
        before = {c.pk: snapshot(c, CONTACT_FIELDS) for c in stored}
        deleted_pks = [f.instance.pk for f in formset.deleted_forms if f.instance.pk]
        super().save_formset(request, form, formset, change)
        common = {
            "actor": request.user,
            "employer_number": employer.employer_number,
            "reason": "Administración",
        }
        for contact in formset.new_objects:
            record(action="contact.created", obj=contact, after=snapshot(contact, CONTACT_FIELDS), **common)
        for contact, _fields in formset.changed_objects:
            record(
                action="contact.updated",
                obj=contact,
                before=before.get(contact.pk),
                after=snapshot(contact, CONTACT_FIELDS),
                **common,
            )
        for pk in deleted_pks:
            record(
                action="contact.deleted",
                object_type="employers.contact",
                object_id=str(pk),
                before=before.get(pk),
                **common,
            )


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "kind",
        "filename",
        "rows",
        "created",
        "updated",
        "corrected",
        "skipped",
        "created_by",
    )
    list_filter = ("kind",)
