"""Write-side services of the core domain: one transaction each, each records its trail entry."""
