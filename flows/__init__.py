"""civic-ideas: flows."""
