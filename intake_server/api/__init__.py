"""The intake API: what the helper posts, how it is checked, and the ledger it goes into."""
