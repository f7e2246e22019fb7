"""Stage 3's names shared by the roles page and the report (catalog keys named in full: the catalog
test finds every key the code uses)."""

from __future__ import annotations

PLAN_KEYS = {"need_for_change": "plan.need_for_change", "target_groups": "plan.target_groups",
             "competences_needed": "plan.competences_needed", "networks": "plan.networks",
             "operating_model": "plan.operating_model", "description": "plan.description"}
COVERAGE_KEYS = {"gap": "coverage.gap", "single": "coverage.single", "no_strong": "coverage.no_strong",
                 "ok": "coverage.ok"}
