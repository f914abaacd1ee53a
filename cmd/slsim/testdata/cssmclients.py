#!/usr/bin/python3
"""python requests against the CSSM REST API of `slsim serve`, as Cisco's
Smart Licensing app and the smartaccounts client use it: the OAuth token
with every field in the query string, the token steps of the register flow
(GET the virtual account's tokens, POST one when there is none), a switch
registered over SSH with that token, and the license usage read page by
page until the switch's licenses show in use. TLS is verified against the
server's certificate, as the app verifies CSSM.

usage: cssmclients.py CSSM_HOST:PORT CLIENT_ID CLIENT_SECRET USER PASSWORD CA_FILE SSH_HOST:PORT
"""
import sys
import time

import requests
from netmiko import ConnectHandler

cssm, client_id, client_secret, user, password, ca, ssh_addr = sys.argv[1:8]
base = "https://%s/services/api/smart-accounts-and-licensing/" % cssm
domain = "acme.com"


def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)
    print("ok:", what)


# --- login: the app puts every field in the query string, with an empty body
r = requests.post("https://%s/as/token.oauth2" % cssm, params={
    "client_id": client_id, "client_secret": client_secret,
    "username": user, "password": password, "grant_type": "password"},
    headers={"Content-Type": "application/x-www-form-urlencoded"}, verify=ca, timeout=10)
check(r.status_code == 200, "token endpoint (%d %s)" % (r.status_code, r.text[:200]))
tok = r.json()
check(tok["token_type"] == "Bearer" and tok["expires_in"] > 0, "a bearer token with its lifetime")
H = {"Authorization": "Bearer " + tok["access_token"], "Content-Type": "application/json",
     "Accept": "application/json", "Cache-Control": "no-cache"}

bad = requests.get(base + "v2/accounts", headers={"Authorization": "Bearer nope"}, verify=ca, timeout=10)
check(bad.status_code == 401, "a made-up bearer token is refused")

accounts = requests.get(base + "v2/accounts", headers=H, verify=ca, timeout=10).json()
check(accounts["status"] == "SUCCESS" and accounts["accounts"][0]["accountDomain"] == domain, "v2/accounts")
vas = requests.get(base + "v1/accounts/%s/customer/virtual-accounts" % domain, headers=H, verify=ca, timeout=10).json()
names = sorted(v["name"] for v in vas["virtualAccounts"])
check(names == ["Campus", "DEFAULT"], "virtual accounts (%s)" % names)


# --- the register flow's token steps (tokens.py): GET, POST when none
def token_for(va):
    url = base + "v1/accounts/%s/virtual-accounts/%s/tokens" % (domain, va)
    got = requests.get(url, headers=H, verify=ca, timeout=10).json()
    try:
        return got["tokens"][0]["token"], False
    except (KeyError, IndexError):
        made = requests.post(url, headers=H, verify=ca, timeout=10, json={
            "description": "SL Token Automation", "expiresAfterDays": 30, "exportControlled": "Not Allowed"}).json()
        check(made["status"] == "SUCCESS", "POST tokens")
        return made["tokenInfo"]["token"], True


value, created = token_for("DEFAULT")
check(created, "DEFAULT has no token: one was created")
again, created = token_for("DEFAULT")
check(not created and again == value, "the created token is listed first")

# --- register the served switch with it, over SSH
host, port = ssh_addr.rsplit(":", 1)
sw = ConnectHandler(device_type="cisco_xe", host=host, port=int(port), username=user, password=password)
out = sw.send_command("license smart register idtoken %s force" % value)
check("Registration process is in progress" in out, "license smart register idtoken … force")
sw.disconnect()


# --- usage, page by page as smartaccounts reads it
def usage(va):
    rows, offset, limit = [], 0, 1
    while True:
        page = requests.post(base + "v1/accounts/%s/licenses" % domain, headers=H, verify=ca, timeout=10,
                             json={"virtualAccounts": [va], "limit": limit, "offset": offset}).json()
        check(page["status"] == "SUCCESS", "licenses page at offset %d" % offset)
        rows += page["licenses"]
        offset += limit
        if offset >= page["totalRecords"]:
            return rows, page["totalRecords"]


deadline = time.time() + 60
while True:
    devices = requests.get(base + "v1/accounts/%s/virtual-accounts/DEFAULT/devices" % domain,
                           headers=H, verify=ca, timeout=10).json()
    if devices["totalRecords"] == 1:
        break
    check(time.time() < deadline, "the switch appears in DEFAULT within a minute")
    time.sleep(0.5)
check(devices["devices"][0]["productId"] == "C9300-24P", "the switch is a product instance of DEFAULT")

deadline = time.time() + 60
while True:
    rows, total = usage("DEFAULT")
    if rows and all(r["inUse"] == 2 for r in rows):
        break
    check(time.time() < deadline, "usage reported within a minute")
    time.sleep(0.5)
check(len(rows) == total == 2, "every page read: %d rows of %d" % (len(rows), total))
check(all(r["status"] == "Insufficient Licenses" and r["available"] == 0 for r in rows),
      "DEFAULT holds no licenses: the two in use are short")
events = requests.get(base + "v1/accounts/%s/events" % domain, headers=H, verify=ca, timeout=10).json()["events"]
check(any("was registered" in e["message"] for e in events), "the event log has the registration")
print("PASS: python requests against the CSSM API of slsim serve")
