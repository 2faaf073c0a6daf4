"""One suite per port, run over every adapter of it: what each adapter must do alike."""
