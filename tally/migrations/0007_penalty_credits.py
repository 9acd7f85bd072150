from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


class DropColumn(ops.RemoveField):
    """RemoveField by ALTER TABLE ... DROP COLUMN on both databases: tortoise rebuilds the table
    on SQLite instead, which loses the bill's unique (product, period) and its indexes."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor:
            table = old_state.apps.get_model(f"{app_label}.{self.model_name}")._meta.db_table
            await ops.RunSQL(f'ALTER TABLE "{table}" DROP COLUMN "{self.name}"') \
                .database_forward(app_label, old_state, new_state, state_editor)


class Migration(migrations.Migration):
    dependencies = [('models', '0006_name_sort')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PenaltyCredit',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('penalty', fields.ForeignKeyField('models.PenaltyCharge', source_field='penalty_id', db_index=True, db_constraint=True, to_field='id', related_name='credits', on_delete=OnDelete.CASCADE)),
                ('amount', fields.DecimalField(max_digits=16, decimal_places=2)),
                ('reason', fields.CharField(max_length=200)),
                ('flow', fields.ForeignKeyField('models.ApprovalFlow', source_field='flow_id', null=True, db_constraint=True, to_field='id', related_name='penalty_credits', on_delete=OnDelete.SET_NULL)),
                ('created_by', fields.CharField(default='', max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'penalty_credit', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Penalty interest taken back (罚息冲销), with why, by whom and through which approval.'},
            bases=['Model'],
        ),
        # The no-interest list is read when penalties are charged, not copied onto the bill.
        DropColumn(model_name='Bill', name='interest_free'),
    ]
