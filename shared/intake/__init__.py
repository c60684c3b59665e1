"""The change intake of the regular sync: what makes change passes happen.

Webhooks from both services (Procore hooks, Graph change notifications) and the timers behind
them: subscriptions kept alive, failed hook registrations retried, and a per-minute safety net
that polls projects and drives nobody told us about (Graph never reports missed notifications
for drives, API-NOTES B4). The passes and delta pulls themselves live in `shared.sync`.
"""
