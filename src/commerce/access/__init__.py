"""Access: who is calling (principals), API keys and what each caller may do."""
