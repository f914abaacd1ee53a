#!/usr/bin/python3
"""Real clients against `slsim serve`: netmiko (cisco_xe), the OpenSSH
client, and RESTCONF with python requests playing the register flow of
Cisco's Smart Licensing app, every value checked against `show license
status` on the same switch.

usage: realclients.py SSH_HOST:PORT HTTPS_HOST:PORT TOKEN USER PASSWORD
"""
import datetime
import os
import re
import subprocess
import sys
import tempfile
import time

import requests
import urllib3
from netmiko import ConnectHandler

urllib3.disable_warnings()

ssh_addr, https_addr, token, user, password = sys.argv[1:6]
ssh_host, ssh_port = ssh_addr.rsplit(":", 1)
base = "https://" + https_addr
HEADERS = {
    "Accept": "application/yang-data+json",
    "Content-Type": "application/yang-data+json",
    "FOXY-API-VERSION": "1",
    "Cache-Control": "no-cache",
}
LIC = base + "/restconf/data/cisco-smart-license:licensing"


def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)
    print("ok:", what)


def netmiko():
    return ConnectHandler(device_type="cisco_xe", host=ssh_host, port=int(ssh_port),
                          username=user, password=password, timeout=30)


def show_status():
    """`show license status` through netmiko, as a dict of 'Key: value'
    lines per section."""
    conn = netmiko()
    try:
        out = conn.send_command("show license status")
    finally:
        conn.disconnect()
    sections, cur = {}, None
    for line in out.splitlines():
        if line and not line.startswith(" ") and line.rstrip().endswith(":"):
            cur = sections.setdefault(line.rstrip()[:-1], {})
        elif cur is not None and ":" in line:
            k, v = line.strip().split(":", 1)
            cur[k.strip()] = v.strip()
    return sections


def ios_time(text):
    """'Mar 04 10:00:01 2024 UTC' (maybe after 'SUCCEEDED on ') → datetime."""
    m = re.search(r"([A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \d{4}) UTC", text)
    check(m is not None, "a time in %r" % text)
    return datetime.datetime.strptime(m.group(1), "%b %d %H:%M:%S %Y").replace(tzinfo=datetime.timezone.utc)


def yang_time(text):
    return datetime.datetime.fromisoformat(text)


def get(path):
    r = requests.get(path, auth=(user, password), headers=HEADERS, verify=False, timeout=5)
    if r.status_code != 200:
        check(False, "GET %s answers 200 (got %d %s)" % (path, r.status_code, r.text[:200]))
    return r.json()


def rpc(name, body):
    r = requests.post(base + "/restconf/data/cisco-smart-license:" + name, json=body,
                      auth=(user, password), headers=HEADERS, verify=False, timeout=10)
    if r.status_code != 200:
        check(False, "POST %s answers 200 (got %d %s)" % (name, r.status_code, r.text[:200]))
    return r.json()["cisco-smart-license:output"]["return-code"]


# --- netmiko, as scripts and Cisco's app use it -----------------------------
conn = netmiko()
prompt = conn.find_prompt()
check(prompt == "sw1#", "netmiko lands at privileged EXEC (%r)" % prompt)
summary = conn.send_command("show license summary")
check("Smart Licensing is ENABLED" in summary and "License Usage:" in summary, "send_command(show license summary)")
check(prompt not in summary, "the prompt is stripped from the output")
out = conn.send_config_set(["ip domain name lab.example.com", "ip http authentication local"])
check("(config)#" in out and "% Invalid" not in out, "send_config_set is taken line by line")
line = conn.send_command("show running-config | include ip domain name")
check(line.strip() == "ip domain name lab.example.com", "the configuration changed (%r)" % line)
tech = conn.send_command("sh license tech support | i Entitlement|Count")
check("Count:" in tech, "an IOS abbreviation and a regex alternation in a pipe")
conn.disconnect()

# --- OpenSSH: show version as an exec request -------------------------------
with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as f:
    f.write("#!/bin/sh\necho '%s'\n" % password)
os.chmod(f.name, 0o700)
env = dict(os.environ, SSH_ASKPASS=f.name, SSH_ASKPASS_REQUIRE="force", DISPLAY=":0")
ver = subprocess.run(["ssh", "-p", ssh_port, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                      "-o", "PubkeyAuthentication=no", "-o", "LogLevel=ERROR", "%s@%s" % (user, ssh_host), "show version"],
                     env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
os.unlink(f.name)
check(ver.returncode == 0 and "Cisco IOS XE Software" in ver.stdout, "OpenSSH: show version (%s)" % ver.stderr.strip())

# --- RESTCONF: the register flow of the Smart Licensing app -----------------
hm = requests.get(base + "/.well-known/host-meta", auth=(user, password), verify=False, timeout=5)
check(hm.status_code == 200 and "href='/restconf'" in hm.text, "host-meta points at /restconf")
version = get(base + "/restconf/data/native/version")["Cisco-IOS-XE-native:version"]
check(re.fullmatch(r"\d+\.\d+", version) is not None, "native/version looks like 16.9 / 17.3 (%s)" % version)
pid = get(LIC + "/state/state-info/udi/pid")["cisco-smart-license:pid"]
check(pid == "C9300-24P", "udi/pid")
bad = requests.get(LIC, auth=(user, "wrong"), headers=HEADERS, verify=False, timeout=5)
check(bad.status_code == 401, "a wrong password is refused")

code = rpc("register-id-token", {"cisco-smart-license:register-id-token": {"id-token": token}})
check(code == "registrationinprogress", "register-id-token → registrationinprogress")
deadline = time.time() + 60
while True:
    st = get(LIC + "/state/state-info/registration/registration-state")["cisco-smart-license:registration-state"]
    if st == "reg-state-complete":
        break
    check(st in ("reg-state-in-progress", "reg-state-retry"), "registration-state while registering (%s)" % st)
    check(time.time() < deadline, "registered within a minute")
    time.sleep(0.5)
check(True, "registration-state reached reg-state-complete")
code = rpc("register-id-token", {"cisco-smart-license:register-id-token": {"id-token": token}})
check(code == "alreadyregistered", "a second register → alreadyregistered")

# Wait for the authorization as well, then compare with the CLI.
deadline = time.time() + 60
while get(LIC + "/state/state-info/authorization/authorization-state")["cisco-smart-license:authorization-state"] != "auth-state-authorized":
    check(time.time() < deadline, "authorized within a minute")
    time.sleep(0.5)
state = get(LIC + "/state")["cisco-smart-license:state"]
cli = show_status()
info = state["state-info"]
reg, done = info["registration"], info["registration"]["registration-complete"]
check(cli["Registration"]["Status"] == "REGISTERED", "CLI: REGISTERED")
check(done["smart-account"] == cli["Registration"]["Smart Account"], "smart-account = CLI")
check(done["virtual-account"] == cli["Registration"]["Virtual Account"], "virtual-account = CLI")
check(reg["export-control-allowed"] == (cli["Registration"]["Export-Controlled Functionality"] == "ALLOWED"), "export-control-allowed = CLI")
check(yang_time(done["complete-time"]) == ios_time(cli["Registration"]["Initial Registration"]), "complete-time = Initial Registration")
check(yang_time(done["next-renew-time"]) == ios_time(cli["Registration"]["Next Renewal Attempt"]), "next-renew-time = CLI")
check(yang_time(done["expire-time"]) == ios_time(cli["Registration"]["Registration Expires"]), "expire-time = CLI")
auth = info["authorization"]
check(cli["License Authorization"]["Status"].startswith("AUTHORIZED"), "CLI: AUTHORIZED")
authd = auth["authorization-authorized"]
check(yang_time(authd["last-comm-time"]) == ios_time(cli["License Authorization"]["Last Communication Attempt"]), "last-comm-time = CLI")
check(yang_time(authd["next-comm-time"]) == ios_time(cli["License Authorization"]["Next Communication Attempt"]), "next-comm-time = CLI")
check(yang_time(authd["comm-deadline-time"]) == ios_time(cli["License Authorization"]["Communication Deadline"]), "comm-deadline-time = CLI")
usage = info["usage"]
check(all(u["enforcement-mode"] == "enforcement-in-compliance" and u["license-name"] for u in usage), "usage in compliance, with names")

code = rpc("de-register", {})
check(code == "success", "de-register → success")
st = get(LIC + "/state/state-info/registration/registration-state")["cisco-smart-license:registration-state"]
check(st == "reg-state-not-registered", "registration-state after de-register")
check(show_status()["Registration"]["Status"] == "UNREGISTERED", "CLI: UNREGISTERED after de-register")
print("PASS: netmiko, OpenSSH and RESTCONF against slsim serve")
