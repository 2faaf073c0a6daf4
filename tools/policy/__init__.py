"""Policy: the rules every plan must satisfy before it runs."""
