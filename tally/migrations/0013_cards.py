from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0012_outbox_request_id')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Staff',
            name='dingtalk_unionid',
            field=fields.CharField(null=True, max_length=64),
        ),
    ]
