from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_penalty_credits')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Bill',
            name='detail',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddIndex(
            model_name='Bill',
            index=Index(fields=['document_id']),
        ),
    ]
