"""The import job runner finds its importers through the registry each app fills in its ready()."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tisheng.exchange import registry
from tisheng.exchange.models import ImportKind
from tisheng.exchange.roster import RosterImporter
from tisheng.exchange.units import UnitsImporter


def test_every_import_kind_a_job_can_have_has_an_importer():
    assert registry.registered_kinds() == set(ImportKind.values)
    assert registry.importer_for("units") is UnitsImporter
    assert registry.importer_for("roster") is RosterImporter


def test_a_kind_is_registered_once():
    registry.register_import("units", UnitsImporter)  # the same again (a second ready()): no change
    assert registry.importer_for("units") is UnitsImporter
    with pytest.raises(ImproperlyConfigured):
        registry.register_import("units", RosterImporter)
    assert registry.importer_for("units") is UnitsImporter


def test_an_unknown_kind_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured):
        registry.importer_for("no-such-kind")
