from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_bill_detail')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ApprovalFlow',
            name='hold_key',
            field=fields.CharField(null=True, unique=True, max_length=100),
        ),
    ]
