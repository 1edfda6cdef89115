"""Infrastructure that a measurement or a found defect asked for, gathered in one place.

Each module's docstring names the figure that justifies it (the request it sped up, the race
it closed, the attack it stopped). When the figure no longer holds, the module can go. Nothing
here knows a use case or a door: the domain (webui/domain) calls down into these modules, and
the app factory (webui/__init__.py) wires the request hooks.

- database.py        SQLite writers queue on an flock; BEGIN straight to the driver
- locks.py           named locks across workers and hosts, held without a transaction
- cipher.py          secrets encrypted at rest (Fernet, rotatable keys), masked repr
- credential_cache.py  verified Basic-auth passwords remembered for a short TTL
- throttle.py        failed sign-ins counted per address and per account
- json_provider.py   JSON answers encoded by orjson
- security_headers.py  headers added in one pass over the response
- readiness.py       the checks behind /readyz, each one round trip (keys: once a minute)
- logs.py            log lines (text or JSON) and the request id on lines and audit rows
- metrics.py         Prometheus metrics, summed across gunicorn workers
"""
