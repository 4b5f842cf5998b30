"""Infrastructure every app may import: token authentication, prepared statements, the cache,
pagination, API errors, the health check, login lock-out. Depends on no app."""
