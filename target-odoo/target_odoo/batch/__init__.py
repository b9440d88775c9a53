"""Writing one batch of one stream, one module per step (target_odoo.upsert.BatchWriter runs
them in this order; README "How a batch is written" names them):

1. map_records: each record mapped into Odoo values (one Item per record);
2. resolve_lookups: the batch's lookups in a few calls, then the records lookups create;
3. find_existing: the records' identities (external ids, or a field on each record);
   then 7. delete_records for records deleted in the source;
4. update_existing: existing records read, compared, and only what changed written, lines as
   the commands target_odoo.line_commands makes;
5. create_new: records of ours a stopped run left behind adopted, new ones created in one call,
   their identities recorded, a lost answer recovered, markers cleared;
6. run_actions: files attached, then the business actions (post, confirm).

`items` holds what the steps share: the Item on its way into Odoo, the batch's context.
"""
