"""civic-ideas: sources."""
