from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0012_outbox_request_id')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Event',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('type', fields.CharField(max_length=48)),
                ('key', fields.CharField(unique=True, max_length=200)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('subject_type', fields.CharField(max_length=32)),
                ('subject_id', fields.CharField(max_length=64)),
                ('customer_id', fields.IntField(null=True)),
                ('payload', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('request_id', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'event', 'app': 'models', 'indexes': [Index(fields=['occurred_at'])], 'pk_attr': 'id', 'table_description': 'Something that happened in Tally, published in the transaction that made it happen.'},
            bases=['Model'],
        ),
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
