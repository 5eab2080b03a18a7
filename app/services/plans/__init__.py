"""Action plans (issue 19): the DHR master plan and the partnership's strategy plans on one
model (``app.models.plans``), their rules in ``app.plans``.

``plans``: reading, adding and changing plans, objectives, actions and quarterly updates;
``update_return``: the "action plan update" return an agency downloads and uploads;
``workbook``: the Action Plan sheet of the consolidated workbook.
"""
