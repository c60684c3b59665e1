"""The app with only the admin API registered, for the admin integration tests: no function
consumes `sync-start` here, so a test can read the message the API queued, and no initial sync
moves the project's phase under the test's feet."""

import azure.functions as func

from blueprints.admin import bp as admin

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
app.register_functions(admin)
