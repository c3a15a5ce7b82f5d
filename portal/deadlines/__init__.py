"""Every toewijzing's deadlines, stored, so that a dashboard lists the most urgent of thousands of
toewijzingen with one query instead of working out each one's deadlines on every view.

What is stored is exactly what :func:`portal.plans.workflow.toewijzing_deadlines` says (the
region's deadlines not yet met, moved by approved deviations, and what the plans' workflow asks),
and none of it depends on today's date; the dashboards choose by date when they read.
:mod:`.store` keeps the rows true: every commit that changed a toewijzing, a plan or the plans'
workflow recomputes the deadlines of the clients involved, in the same transaction.
"""
