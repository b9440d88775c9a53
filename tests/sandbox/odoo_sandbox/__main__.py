"""`python -m odoo_sandbox`: same as the `odoo-sandbox` command."""

from odoo_sandbox.cli import main

raise SystemExit(main())
