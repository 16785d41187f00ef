"""civic-ideas: models."""
