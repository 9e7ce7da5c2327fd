"""Committee pages."""
