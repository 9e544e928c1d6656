"""Identity's records in the single table: sessions and refresh tokens, reset codes,
log-in failure counters; one module each."""
