"""Component ids of the Intake page, shared by its layout and its callbacks."""

from __future__ import annotations

ERRORS = "in-errors"
ERRORS_BAR = "in-errors-bar"
ERROR_TABLE = "in-error-table"
OUTCOME = "in-outcome"
RESULT = "in-result"
UPLOAD = "in-upload"
VALID = "in-valid"
VALID_BAR = "in-valid-bar"
TEMPLATE = "in-template"
TEMPLATE_BAR = "in-template-bar"
