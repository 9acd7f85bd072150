from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

from domain.names import name_sort_key
from domain.sql import execute_many


async def fill_name_sort(apps, schema_editor) -> None:
    """The customers already in get the pinyin key their next save would give them."""
    client = schema_editor.client
    rows = await client.execute_query_dict("SELECT id, name FROM customer")
    await execute_many("UPDATE customer SET name_sort = {0} WHERE id = {1}",
                       [[name_sort_key(row["name"]), row["id"]] for row in rows],
                       connection=client)


# Pool write-offs booked so far carried the customer's salesperson as 经办人 and so sat in
# their hand-over as cash they never held: they belong to nobody's day.
POOL_RECEIPTS_OF_NOBODY = (
    "UPDATE document SET salesperson_id = NULL "
    "WHERE doc_type = 'receipt' AND account = '到款池' AND number LIKE 'WO-%'")


class Migration(migrations.Migration):
    dependencies = [('models', '0005_handover')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Customer',
            name='name_sort',
            field=fields.CharField(default='', db_index=True, db_default='', max_length=1400),
        ),
        ops.RunPython(fill_name_sort, ops.RunPython.noop),
        ops.RunSQL(POOL_RECEIPTS_OF_NOBODY, ops.RunSQL.noop),
    ]
