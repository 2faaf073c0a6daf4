"""Reasoners turn a case context into a plan: rules (the default), later a model and a hybrid."""
