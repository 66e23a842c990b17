"""Abstract model bases that the apps' tables share."""

from __future__ import annotations

from django.db import models


class Stamped(models.Model):
    """When a row was made and when it was last saved: the pair of columns most of the desk's tables carry, declared
    once. Abstract: each table keeps its own columns, and the migrations see the same fields as before."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Named(Stamped):
    """A row people pick from a list by its name (a tag, an expert, a product area, a knowledge source): listed in
    the order of its name and shown as it. Each table declares its own `name` (its length and uniqueness)."""

    name: models.CharField

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return str(self.name)
