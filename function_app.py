"""The Function App: creates the app and registers the blueprints, nothing else."""

import azure.functions as func

from blueprints.admin import bp as admin
from blueprints.health import bp as health
from blueprints.initial_sync import bp as initial_sync
from blueprints.notify import bp as notify
from blueprints.regular_sync import bp as regular_sync
from blueprints.timers import bp as timers
from blueprints.tool_export import bp as tool_export
from blueprints.webhooks import bp as webhooks

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
app.register_functions(admin)
app.register_functions(health)
app.register_functions(initial_sync)
app.register_functions(notify)
app.register_functions(regular_sync)
app.register_functions(timers)
app.register_functions(tool_export)
app.register_functions(webhooks)
