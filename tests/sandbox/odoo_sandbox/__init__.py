"""An Odoo-compatible server (XML-RPC, JSON-RPC, JSON-2) with seeded data and fault injection.

from odoo_sandbox import Sandbox
with Sandbox(odoo_version=17, scale=1, faults="error_rate=0.05") as sb:
    print(sb.settings)
"""

from odoo_sandbox.exceptions import OdooServerException
from odoo_sandbox.faults import FaultPlan
from odoo_sandbox.server import Sandbox

__all__ = ["FaultPlan", "OdooServerException", "Sandbox"]
