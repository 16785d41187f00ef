"""civic-ideas: flows."""

# The warehouse file when neither --warehouse nor CIVIC_IDEAS_WAREHOUSE names one (the CLI and the flows'
# parameters). prefect.yaml repeats it for the deployments; a test keeps the two equal.
DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
