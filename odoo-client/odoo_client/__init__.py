"""One small Odoo external-API client (XML-RPC, JSON-RPC, JSON-2, web session) for tap and target.

from odoo_client import OdooClient, ConnectionSettings, errors
client = OdooClient(ConnectionSettings.from_config(config))
client.search_read("res.partner", [("is_company", "=", True)], ["name"], limit=10)
"""

from odoo_client import errors
from odoo_client.client import ConnectionReport, OdooClient
from odoo_client.pages import RowsPage
from odoo_client.settings import ConnectionSettings

__all__ = ["ConnectionReport", "ConnectionSettings", "OdooClient", "RowsPage", "errors"]
