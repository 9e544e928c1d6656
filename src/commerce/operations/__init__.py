"""Operations: GraphQL documents registered by hash (persisted queries, the allow-list)."""
