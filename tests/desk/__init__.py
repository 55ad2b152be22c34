"""Helpers of the desk tests: real server processes, a real PostgreSQL, an HTTP client with cookies."""
