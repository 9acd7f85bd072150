from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from decimal import Decimal
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_jobs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AppSetting',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('value', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_by', fields.CharField(default='', max_length=100)),
            ],
            options={'table': 'app_setting', 'app': 'models', 'pk_attr': 'key', 'table_description': 'A setting finance changes at run time (交款交账参数 …), as JSON under its name.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DayClose',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('models.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name='day_closes', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('closed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closed_by', fields.CharField(default='', max_length=100)),
            ],
            options={'table': 'day_close', 'app': 'models', 'unique_together': (('staff', 'day'),), 'pk_attr': 'id', 'table_description': 'A closed business day (关账) of one staff member: no new or changed document of theirs'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Exchange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=64)),
                ('date', fields.DateField()),
                ('salesperson', fields.ForeignKeyField('models.Staff', source_field='salesperson_id', null=True, db_constraint=True, to_field='id', related_name='exchanges', on_delete=OnDelete.SET_NULL)),
                ('customer', fields.ForeignKeyField('models.Customer', source_field='customer_id', null=True, db_constraint=True, to_field='id', related_name='exchanges', on_delete=OnDelete.SET_NULL)),
                ('audit_status', fields.CharField(default='pending', max_length=16)),
                ('items', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('amount', fields.DecimalField(default=Decimal('0.00'), max_digits=16, decimal_places=2)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('remark', fields.TextField(default='', unique=False)),
                ('version', fields.IntField(default=1)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('confirmed_by', fields.CharField(default='', max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'exchange', 'app': 'models', 'indexes': [Index(fields=['salesperson_id', 'date'])], 'pk_attr': 'id', 'table_description': 'Goods exchanged with a customer (兑换货物): what went out, what came back.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Expense',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=64)),
                ('date', fields.DateField()),
                ('salesperson', fields.ForeignKeyField('models.Staff', source_field='salesperson_id', null=True, db_constraint=True, to_field='id', related_name='expenses', on_delete=OnDelete.SET_NULL)),
                ('customer', fields.ForeignKeyField('models.Customer', source_field='customer_id', null=True, db_constraint=True, to_field='id', related_name='expenses', on_delete=OnDelete.SET_NULL)),
                ('audit_status', fields.CharField(default='pending', max_length=16)),
                ('items', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('total', fields.DecimalField(max_digits=16, decimal_places=2)),
                ('paid', fields.DecimalField(default=Decimal('0.00'), max_digits=16, decimal_places=2)),
                ('settled', fields.DecimalField(default=Decimal('0.00'), max_digits=16, decimal_places=2)),
                ('account', fields.CharField(default='', max_length=100)),
                ('remark', fields.TextField(default='', unique=False)),
                ('source', fields.CharField(default='erp', max_length=16)),
                ('version', fields.IntField(default=1)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('confirmed_by', fields.CharField(default='', max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'expense', 'app': 'models', 'indexes': [Index(fields=['salesperson_id', 'date'])], 'pk_attr': 'id', 'table_description': "A salesperson's expense (费用单 / 其他支出单): paid out of an account (支出金额), or put on"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OtherIncome',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=64)),
                ('date', fields.DateField()),
                ('salesperson', fields.ForeignKeyField('models.Staff', source_field='salesperson_id', null=True, db_constraint=True, to_field='id', related_name='other_incomes', on_delete=OnDelete.SET_NULL)),
                ('customer', fields.ForeignKeyField('models.Customer', source_field='customer_id', null=True, db_constraint=True, to_field='id', related_name='other_incomes', on_delete=OnDelete.SET_NULL)),
                ('audit_status', fields.CharField(default='pending', max_length=16)),
                ('items', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('amount', fields.DecimalField(max_digits=16, decimal_places=2)),
                ('account', fields.CharField(default='', max_length=100)),
                ('remark', fields.TextField(default='', unique=False)),
                ('version', fields.IntField(default=1)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('confirmed_by', fields.CharField(default='', max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'other_income', 'app': 'models', 'indexes': [Index(fields=['salesperson_id', 'date'])], 'pk_attr': 'id', 'table_description': 'Other income (其他收入单) a salesperson takes in: scrap sales, fees and the like.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReceiptSettlement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('receipt', fields.ForeignKeyField('models.Document', source_field='receipt_id', db_index=True, db_constraint=True, to_field='id', related_name='settlements', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField()),
                ('number', fields.CharField(max_length=64)),
                ('doc_type', fields.CharField(max_length=16)),
                ('doc_date', fields.DateField()),
                ('amount', fields.DecimalField(max_digits=16, decimal_places=2)),
                ('prepaid', fields.DecimalField(default=Decimal('0.00'), max_digits=16, decimal_places=2)),
            ],
            options={'table': 'receipt_settlement', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What a receipt (收款单) settles: one document of the ERP (核销单据) and how much of it,'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Document',
            name='audit_status',
            field=fields.CharField(default='approved', db_default='approved', max_length=16),
        ),
        ops.AddField(
            model_name='Document',
            name='confirmed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Document',
            name='confirmed_by',
            field=fields.CharField(default='', db_default='', max_length=100),
        ),
        ops.AddField(
            model_name='Document',
            name='delivered_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Document',
            name='discount',
            field=fields.DecimalField(default=Decimal('0.00'), db_default=Decimal('0.00'), max_digits=16, decimal_places=2),
        ),
        ops.AddField(
            model_name='Document',
            name='driver',
            field=fields.ForeignKeyField('models.Staff', source_field='driver_id', null=True, db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Document',
            name='erp_type',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
        ops.AddField(
            model_name='Document',
            name='receipt_kind',
            field=fields.CharField(default='', db_default='', max_length=16),
        ),
        ops.AddField(
            model_name='Document',
            name='remark',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.AddField(
            model_name='Document',
            name='reversal',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Document',
            name='to_prepaid',
            field=fields.DecimalField(default=Decimal('0.00'), db_default=Decimal('0.00'), max_digits=16, decimal_places=2),
        ),
        ops.AddIndex(
            model_name='Document',
            index=Index(fields=['salesperson_id', 'date']),
        ),
        ops.AddIndex(
            model_name='Document',
            index=Index(fields=['driver_id', 'delivered_on']),
        ),
    ]
