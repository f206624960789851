"""Monthly goals set by heads (SPEC §9): per collector or per branch, for the amount recovered, the
agreements signed and the contacts made in a calendar month."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cobranza.common.models import TimeStampedModel
from cobranza.employers.models import Branch

MONEY = {"max_digits": 14, "decimal_places": 2}


class Goal(TimeStampedModel):
    """One month's goals of one collector, or of one branch (exactly one of the two)."""

    month = models.DateField("mes", help_text="Primer día del mes.")
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="goals",
        on_delete=models.PROTECT,
        verbose_name="gestor",
    )
    branch = models.ForeignKey(
        Branch, null=True, blank=True, related_name="goals", on_delete=models.PROTECT, verbose_name="sucursal"
    )
    recovered = models.DecimalField("monto recuperado", default=0, **MONEY)
    agreements = models.PositiveIntegerField("convenios firmados", default=0)
    contacts = models.PositiveIntegerField("contactos logrados", default=0)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.PROTECT, verbose_name="fijada por"
    )

    class Meta:
        verbose_name = "meta mensual"
        verbose_name_plural = "metas mensuales"
        ordering = ["-month", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(collector__isnull=False) & Q(branch__isnull=True))
                | (Q(collector__isnull=True) & Q(branch__isnull=False)),
                name="goal_collector_xor_branch",
            ),
            models.CheckConstraint(condition=Q(recovered__gte=0), name="goal_recovered_not_negative"),
            models.CheckConstraint(condition=Q(month__day=1), name="goal_month_first_day"),
            models.UniqueConstraint(
                fields=["collector", "month"],
                condition=Q(collector__isnull=False),
                name="goal_one_per_collector_month",
            ),
            models.UniqueConstraint(
                fields=["branch", "month"],
                condition=Q(branch__isnull=False),
                name="goal_one_per_branch_month",
            ),
        ]

    def __str__(self) -> str:
        who = self.collector.get_full_name() if self.collector else str(self.branch)
        return f"Meta de {who} para {self.month:%m/%Y}"
