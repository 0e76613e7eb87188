from django.db import models


class Role(models.TextChoices):
    """The four roles; each is a Django group of the same name."""

    INTAKE_COORDINATOR = "intake coordinator", "Intake coordinator"
    LIAISON = "liaison", "Physician liaison"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"
