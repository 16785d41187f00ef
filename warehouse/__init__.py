"""civic-ideas: warehouse."""
