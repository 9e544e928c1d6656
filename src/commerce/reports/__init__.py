"""Store reports: sales, best sellers, margin, stock as of any moment, price history."""
