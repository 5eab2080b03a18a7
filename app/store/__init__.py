"""Storage: writing and reading figures (submissions, values, targets) and reference rows
(periods, areas, agencies, indicators). Functions here flush, never commit: the services
layer commits. No Flask: only the database session."""
