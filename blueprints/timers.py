"""Timers of the change intake: the per-minute safety net (shared.intake.safety_net) and the
half-hourly renewal of subscriptions and hooks (shared.intake.renewal). NCRONTAB, six fields."""

from __future__ import annotations

import azure.functions as func

from shared.intake import renewal, safety_net
from shared.intake.context import IntakeContext
from shared.intake.project_intake import ProjectIntake

bp = func.Blueprint()

SAFETY_NET_SCHEDULE = "0 * * * * *"
RENEWAL_SCHEDULE = "0 */30 * * * *"


@bp.timer_trigger(arg_name="timer", schedule=SAFETY_NET_SCHEDULE)
def safety_net_poll(timer: func.TimerRequest) -> None:
    safety_net.poll(IntakeContext.from_runtime())


@bp.timer_trigger(arg_name="timer", schedule=RENEWAL_SCHEDULE)
def renew_subscriptions(timer: func.TimerRequest) -> None:
    renewal.renew(IntakeContext.from_runtime(), ProjectIntake.from_runtime())
