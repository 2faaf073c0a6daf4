"""Policy: the rules every plan must satisfy before it runs.

`validate` is the policy check (one for every caller); `checks` holds the rules it runs
(a rebooking's live facts, money by the regulations). The graph's ``guard`` node calls
`validate`; nothing here is called "guard".
"""
