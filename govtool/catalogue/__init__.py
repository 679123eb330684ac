"""Data-sharing catalogue: entries with versions, review by the ministry, exports and the map."""
