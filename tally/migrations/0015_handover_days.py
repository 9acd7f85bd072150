from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0014_workbench')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Document',
            index=Index(fields=['date', 'salesperson_id']),
        ),
        ops.AddIndex(
            model_name='Document',
            index=Index(fields=['delivered_on', 'driver_id']),
        ),
        ops.AddIndex(
            model_name='Exchange',
            index=Index(fields=['date', 'salesperson_id']),
        ),
        ops.AddIndex(
            model_name='Expense',
            index=Index(fields=['date', 'salesperson_id']),
        ),
        ops.AddIndex(
            model_name='OtherIncome',
            index=Index(fields=['date', 'salesperson_id']),
        ),
    ]
