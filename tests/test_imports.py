"""Each module that the engine, the notices and the commands share imports first in a fresh interpreter.

The engine imports the release and reminder steps, which queue notices, and
the notices module wakes the engine, so the import order matters.
"""

import subprocess
import sys

import pytest

from processes import ROOT

MODULES = [
    "oohdesk.paging.engine",
    "oohdesk.paging.notices",
    "oohdesk.paging.releases",
    "oohdesk.paging.targets",
    "oohdesk.tickets.intake",
    "oohdesk.tickets.management.commands.triage",
    "oohdesk.hours.management.commands.hours",
    "oohdesk.api.calendars",
]


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_first(module, tmp_path):
    code = f"import django; django.setup(); import {module}"
    env = {"DJANGO_SETTINGS_MODULE": "oohdesk.settings", "OOHDESK_DATA_DIR": str(tmp_path), "PATH": ""}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
