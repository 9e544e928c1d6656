"""Digital downloads: expiring, count-limited links to a paid order's digital lines."""
