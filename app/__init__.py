"""The application shell: the CLI, the daemon process, the demo, the replay, the ops
server and the wiring that opens every adapter. The only room that imports `dashboard`
and `evals`; nothing imports it.
"""
