"""Prints the schemathesis configuration: the token and every path parameter fixed to
a real id of the demo (from the environment that ids.py wrote), and what the
positive and negative data checks count as the right answer."""
import os

env = {k[len("SCHEMATHESIS_"):].lower(): v for k, v in os.environ.items()
       if k.startswith("SCHEMATHESIS_") and k != "SCHEMATHESIS_SECONDS"}
token = env.pop("bearer")
print(f'headers = {{ Authorization = "Bearer {token}" }}')
print("[parameters]")
for name, value in sorted(env.items()):
    print(f'"path.{name}" = "{value}"')

# Valid data by the schema may still be refused where the answer depends on stored
# state or on today, which no schema can state: an `If-Match` version that is not the
# current one (412), an opaque page cursor that does not decode, an owner who is not
# on this team, a date outside the window around today, a national id whose check
# digits fail (422, naming the field). Everything else valid must be accepted.
print("[checks.positive_data_acceptance]")
print('expected-statuses = ["2xx", "401", "403", "404", "409", "412", "422", "429"]')
# Invalid data must be refused, with a client error: which one depends on what is
# wrong (a body too large is 413; a stale version on an otherwise invalid update may
# be answered 412 first). Never 2xx, never 5xx.
print("[checks.negative_data_rejection]")
print('expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "412", "413", "415", "422", "428", "429"]')
# A missing required header is refused as such: `If-Match` missing on an update is
# 428 Precondition Required (RFC 6585).
print("[checks.missing_required_header]")
print('expected-statuses = ["400", "401", "403", "406", "415", "422", "428"]')
