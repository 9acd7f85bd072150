from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0013_platforms')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PasswordLogin',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('login', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=100)),
                ('role', fields.CharField(max_length=16)),
                ('staff', fields.ForeignKeyField('models.Staff', source_field='staff_id', null=True, db_constraint=True, to_field='id', related_name='password_logins', on_delete=OnDelete.CASCADE)),
                ('password_hash', fields.CharField(max_length=200)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'password_login', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A workbench sign-in by password, set from the CLI (``tally workbench-user``): for people'},
            bases=['Model'],
        ),
    ]
