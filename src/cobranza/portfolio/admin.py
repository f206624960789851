"""Users get their branch here (a StaffProfile inline on the user); assignments and covers are
managed from the Cartera pages, so the admin only reads them."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from cobranza.common.admin import ReadOnlyAdmin
from cobranza.portfolio.models import Assignment, Cover, StaffProfile
from cobranza.security.admin_forms import TemporaryPasswordChangeForm, mark_new_user_password_temporary


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    verbose_name_plural = "sucursal del usuario"
    fields = ("branch",)


class CobranzaUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ("username", "first_name", "last_name", "is_active", "roles")
    # A password set here for somebody else must be changed by its owner at the next login.
    change_password_form = TemporaryPasswordChangeForm

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        if not change:
            mark_new_user_password_temporary(actor=request.user, user=obj)

    @admin.display(description="roles")
    def roles(self, obj: User) -> str:
        return ", ".join(g.name for g in obj.groups.all())

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).prefetch_related("groups")


admin.site.unregister(User)
admin.site.register(User, CobranzaUserAdmin)


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("employer", "collector", "start", "end", "reason", "assigned_by")
    list_select_related = ("employer", "collector", "assigned_by")
    search_fields = ("employer__employer_number", "collector__username")


@admin.register(Cover)
class CoverAdmin(ReadOnlyAdmin):
    list_display = ("absent", "substitute", "start_date", "end_date", "reason")
