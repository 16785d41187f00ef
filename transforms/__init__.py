"""civic-ideas: transforms."""
