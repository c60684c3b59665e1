"""Running the app locally: `python -m devhost` (the offline Functions host, see DESIGN §6) and
the launchers of the local services it runs against."""
