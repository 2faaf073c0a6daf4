"""The airline systems the agent acts upon: an embedded reference implementation.

This is the bottom room of the house: it imports nothing from the other packages.
"""
