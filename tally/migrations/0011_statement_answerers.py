from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_customer_rules')]

    initial = False

    operations = [
        ops.AddField(
            model_name='StatementEvent',
            name='contact',
            field=fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='statement_events', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='StatementEvent',
            name='device',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
    ]
