"""Signs in to the demo and prints shell assignments: a token and a real id for every
path parameter of the API (the objects of one demo patient), for the fuzzing config."""
import json
import sys
import urllib.error
import urllib.request

base = sys.argv[1]


def call(method, path, token=None, body=None):
    req = urllib.request.Request(base + path, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, data) as r:
        text = r.read()
        return json.loads(text) if text else None


def try_call(*args):
    """As call, or None when the demo refuses (the fuzzing then uses a fallback id)."""
    try:
        return call(*args)
    except urllib.error.HTTPError as e:
        print(f"# setup: {args[0]} {args[1]} answered {e.code}: {e.read()[:300]!r}", file=sys.stderr)
        return None


def items(listed):
    """The rows of a list: paged lists answer {items, next, total, limit}."""
    return listed["items"] if isinstance(listed, dict) and "items" in listed else listed


def token(user):
    return call("POST", "/api/v1/auth/token", body={
        "username": user, "password": "samband-demo-2026", "name": "schemathesis"})["token"]


t = token("camilla.poulsen")
# A second token of the same person, for DELETE /me/tokens/{token} to revoke: the fuzzer
# must not revoke the one it works with.
decoy = call("POST", "/api/v1/auth/token", body={
    "username": "camilla.poulsen", "password": "samband-demo-2026", "name": "decoy"})["id"]
patient = items(call("GET", "/api/v1/patients", t))[0]["id"]
ov = call("GET", f"/api/v1/patients/{patient}", t)
# One of everything a path can name, so that no operation is fuzzed against 404 only.
if not ov.get("services"):
    try_call("POST", f"/api/v1/patients/{patient}/services", t,
             {"what": "Fuzz service", "provider": "Fuzz", "frequency": "weekly"})
if not ov["goals"]:
    try_call("POST", f"/api/v1/patients/{patient}/goals", t, {"text": "Fuzz goal"})
ov = call("GET", f"/api/v1/patients/{patient}", t)
ids = {
    "BEARER": t,
    "TOKEN": decoy,
    "PATIENT": patient,
    "MEMBER": ov["team"]["members"][0]["id"],
    "ACTION": ov["actions"][0]["id"],
    "GOAL": ov["goals"][0]["id"] if ov["goals"] else ov["actions"][0]["id"],
    "SERVICE": ov["services"][0]["id"] if ov.get("services") else ov["actions"][0]["id"],
}
threads = items(call("GET", f"/api/v1/patients/{patient}/threads", t))
thread_id = threads[0]["thread"]["id"]
thread = call("GET", f"/api/v1/threads/{thread_id}", t)
ids["THREAD"] = thread_id
ids["MESSAGE"] = thread["messages"][0]["id"]
attachments = [a for m in thread["messages"] for a in m.get("attachments", [])]
if not attachments:
    try_call("POST", f"/api/v1/threads/{thread_id}/messages", t, {
        "body": "Fuzz attachment",
        "attachments": [{"file_name": "fuzz.txt", "content_base64": "ZnV6eg=="}]})
    thread = call("GET", f"/api/v1/threads/{thread_id}", t)
    attachments = [a for m in thread["messages"] for a in m.get("attachments", [])]
ids["ATTACHMENT"] = attachments[0]["id"] if attachments else ids["MESSAGE"]
requests = items(call("GET", f"/api/v1/patients/{patient}/requests", t))
if not requests:
    me = call("GET", "/api/v1/me", t)["display_name"]
    others = [m for m in ov["members"] if m["active"] and m["member"]["kind"] == "professional"
              and m["display_name"] != me]
    for m in others:
        if try_call("POST", f"/api/v1/patients/{patient}/requests", t, {
                "kind": "general_task", "addressee_member_id": m["member"]["id"],
                "subject": "Fuzz request"}):
            break
    requests = items(call("GET", f"/api/v1/patients/{patient}/requests", t))
ids["REQUEST"] = (requests[0].get("id") or requests[0].get("request", {}).get("id")) if requests else ids["MESSAGE"]
meetings = items(call("GET", "/api/v1/meetings", t))
meeting = meetings[0]["meeting"]["id"] if meetings else None
if meeting is None:
    m = call("POST", f"/api/v1/patients/{patient}/meetings", t, {
        "kind": "review", "mode": "in_person", "title": "Fuzz", "starts_at": "2030-01-10T10:00",
        "duration_minutes": 60, "place": "Room 1", "pre_read_policy": "at_meeting"})
    meeting = m["id"]
view = call("GET", f"/api/v1/meetings/{meeting}", t)
if not view["agenda"]:
    start = view["local_start"][-5:] if view.get("local_start") else "10:00"
    try_call("POST", f"/api/v1/meetings/{meeting}/agenda", t,
             {"title": "Fuzz item", "start": start, "duration_minutes": 15,
              "responsible": view["participants"][0]["id"]})
    view = call("GET", f"/api/v1/meetings/{meeting}", t)
ids["MEETING"] = meeting
ids["ITEM"] = view["agenda"][0]["id"] if view["agenda"] else meeting
ids["GRANT"] = meeting
ids["JOB"] = meeting
for k, v in ids.items():
    print(f"export SCHEMATHESIS_{k}='{v}'")
