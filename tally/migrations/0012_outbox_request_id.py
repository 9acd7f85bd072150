from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_statement_answerers')]

    initial = False

    operations = [
        ops.AddField(
            model_name='OutboxMessage',
            name='request_id',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
    ]
