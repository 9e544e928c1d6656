"""Personal and per-product recommendations: co-purchases, catalog links, shoppers' affinity."""
