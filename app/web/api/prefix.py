"""Where the JSON API lives (read by the app factory without importing the API itself)."""
API_PREFIX = "/api/v1"
