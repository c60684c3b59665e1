"""The Function App: creates the app and registers the blueprints, nothing else."""

import azure.functions as func

from blueprints.health import bp as health

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
app.register_functions(health)
