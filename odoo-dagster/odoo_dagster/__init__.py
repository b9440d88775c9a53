"""Dagster code location for odoo-singer: see odoo-dagster/README.md."""
