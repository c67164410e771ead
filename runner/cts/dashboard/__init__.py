"""The public Program Dashboard: a static site built from the public exports (`cts dashboard`).

Program Summary (dim_programs), Program Enrollments (rpt_program_enrollments) and Program Exits
(rpt_program_outcomes, rpt_program_exits), readable offline from `file://`.
"""

from cts.dashboard.data import DashboardError, is_synthetic, load_dashboard_data
from cts.dashboard.site import SiteSummary, build_site

__all__ = ["DashboardError", "SiteSummary", "build_site", "is_synthetic", "load_dashboard_data"]
