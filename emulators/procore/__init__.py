"""A local stand-in for the Procore REST API (auth, Documents, content, photos, tools, webhooks).

Written from the Procore documentation (see ../shared/API-NOTES.md Part A), independently of the
app's client in `shared/procore/`. Start it with `python -m emulators.procore --port N`.
"""
