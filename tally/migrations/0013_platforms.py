from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0012_outbox_request_id')]

    initial = False

    operations = [
        ops.AddField(
            model_name='BindCode',
            name='oa_qr_expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='BindCode',
            name='oa_qr_url',
            field=fields.CharField(null=True, max_length=255),
        ),
        ops.AlterModelOptions(
            name='Contact',
            options={'table': 'contact', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A person at a customer, reachable on the official account and the mini-program.'},
        ),
        ops.AddField(
            model_name='Contact',
            name='oa_unsubscribed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Department',
            name='dingtalk_dept_id',
            field=fields.BigIntField(null=True, unique=True),
        ),
        ops.AddField(
            model_name='Staff',
            name='dingtalk_unionid',
            field=fields.CharField(null=True, max_length=64),
        ),
    ]
