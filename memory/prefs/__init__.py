"""Preferences understood from what customers and operators wrote, in their own words.

`EmbeddingReader` (the packaged MiniLM against a labelled catalogue; the default) and
`ModelReader` (an OpenAI-compatible chat model, when one is configured) turn a statement
into `Finding`s; `memory.preferences.derive_preferences` folds a customer's statements
into `Preferences`, newest first.
"""
