from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_approval_hold')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CustomerDepartment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.ForeignKeyField('models.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='departments', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('code', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'customer_department', 'app': 'models', 'unique_together': (('customer', 'name'),), 'pk_attr': 'id', 'table_description': 'A department of a customer that orders but does not settle on its own (seed 003 case'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Customer',
            name='credit_limit_crossings',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Customer',
            name='over_credit_limit',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Document',
            name='department',
            field=fields.CharField(default='', db_default='', max_length=100),
        ),
        ops.AddField(
            model_name='StatementLine',
            name='department',
            field=fields.CharField(default='', db_default='', max_length=100),
        ),
    ]
