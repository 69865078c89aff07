"""Workflows: reading a case once, planning it on an engine, decomposition, the plan's files.

:func:`~planner.workflows.case.read_case` reads a data folder into one
:class:`~planner.workflows.case.Case`; :func:`~planner.workflows.plan_case.plan_case` plans
it (per vervoerregio, on the chosen engine) and returns one
:class:`~planner.workflows.plan_case.CasePlan`; :mod:`.plan_files` writes it.
"""
