from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0012_outbox_request_id')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='Contact',
            options={'table': 'contact', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A person at a customer, reachable on the official account and the mini-program.'},
        ),
        ops.AddField(
            model_name='Contact',
            name='oa_unsubscribed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
