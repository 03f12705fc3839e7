"""Prints the schemathesis configuration: the token and every path parameter fixed to
a real id of the demo (from the environment that ids.py wrote)."""
import os

env = {k[len("SCHEMATHESIS_"):].lower(): v for k, v in os.environ.items()
       if k.startswith("SCHEMATHESIS_") and k != "SCHEMATHESIS_SECONDS"}
token = env.pop("bearer")
print(f'headers = {{ Authorization = "Bearer {token}" }}')
print("[parameters]")
for name, value in sorted(env.items()):
    print(f'"path.{name}" = "{value}"')
