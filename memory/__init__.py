"""Long-term customer memory (ChromaDB with offline embeddings) — arrives with the memory issue.

Until then the graph's `remember` node closes the case and records nothing about the
customer; nothing here is imported yet.
"""
