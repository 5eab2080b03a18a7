"""Writing to the database. Functions here flush; the services layer commits."""
