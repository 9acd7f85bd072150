from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CardInstance',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('out_track_id', fields.CharField(unique=True, max_length=64)),
                ('kind', fields.CharField(max_length=32)),
                ('staff', fields.ForeignKeyField('models.Staff', source_field='staff_id', db_index=True, db_constraint=True, to_field='id', related_name='cards', on_delete=OnDelete.CASCADE)),
                ('subject_type', fields.CharField(max_length=32)),
                ('subject_id', fields.CharField(max_length=64)),
                ('status', fields.CharField(default='open', max_length=16)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('action', fields.CharField(default='', max_length=32)),
                ('comment', fields.TextField(default='', unique=False)),
                ('acted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'card_instance', 'app': 'models', 'indexes': [Index(fields=['staff_id', 'status'])], 'pk_attr': 'id', 'table_description': 'An interactive DingTalk card sent to a staff member, and what they did with it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InboundMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('source', fields.CharField(max_length=16)),
                ('message_id', fields.CharField(max_length=128)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'inbound_message', 'app': 'models', 'unique_together': (('source', 'message_id'),), 'pk_attr': 'id', 'table_description': 'Bot messages and callbacks already handled: a redelivery is acknowledged, not redone.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MpSubscription',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_index=True, db_constraint=True, to_field='id', related_name='subscriptions', on_delete=OnDelete.CASCADE)),
                ('template_id', fields.CharField(max_length=64)),
                ('remaining', fields.IntField(default=0)),
            ],
            options={'table': 'mp_subscription', 'app': 'models', 'unique_together': (('contact', 'template_id'),), 'pk_attr': 'id', 'table_description': 'How many mini-program subscribe messages of a template a contact has agreed to receive.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WeChatToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=128)),
                ('value', fields.TextField(unique=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'wechat_token', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A WeChat access token shared by every replica, with the expiry WeChat gave it.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='provider_ref',
            field=fields.CharField(default='', max_length=128),
        ),
    ]
