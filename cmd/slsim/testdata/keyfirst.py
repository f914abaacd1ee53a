#!/usr/bin/python3
"""paramiko and netmiko as users with an SSH key run them against `slsim
serve`: the key is offered first and refused, the password taken on the
same connection. Under the lab fault ssh-strict the switch drops
paramiko's second service request, and look_for_keys=False (no key
offered) is the cure.

usage: keyfirst.py tolerant|strict SSH_HOST:PORT USER PASSWORD KEYFILE
HOME must hold .ssh/id_ed25519 (paramiko's look_for_keys finds it).
"""
import os
import sys

import paramiko
from netmiko import ConnectHandler

mode, addr, user, password, keyfile = sys.argv[1:6]
host, port = addr.rsplit(":", 1)
port = int(port)


def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)
    print("ok:", what)


def paramiko_run(cmd, **kw):
    c = paramiko.SSHClient()
    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    c.connect(host, port=port, username=user, password=password, timeout=15, allow_agent=False, **kw)
    try:
        _, out, _ = c.exec_command(cmd)
        return out.read().decode()
    finally:
        c.close()


assert os.path.exists(os.path.expanduser("~/.ssh/id_ed25519")), "HOME has no key"

if mode == "tolerant":
    out = paramiko_run("show privilege", key_filename=keyfile, look_for_keys=False)
    check("Current privilege level is 15" in out, "paramiko with key_filename and a password")
    out = paramiko_run("show privilege")  # look_for_keys=True: ~/.ssh/id_ed25519 first
    check("Current privilege level is 15" in out, "paramiko finding ~/.ssh/id_ed25519 first")
    conn = ConnectHandler(device_type="cisco_xe", host=host, port=port, username=user, password=password,
                          use_keys=True, key_file=keyfile, timeout=30)
    try:
        users = conn.send_command("show users")
        check("vty 0" in users, "netmiko with use_keys and a refused key")
        conn.send_config_set(["ip ssh authentication-retries 1"])
        try:
            paramiko_run("show privilege", key_filename=keyfile, look_for_keys=False)
            check(False, "with one retry, the refused key leaves no try for the password")
        except paramiko.SSHException as e:  # the switch closes the connection
            check(True, "with one retry, the refused key leaves no try for the password (%s)" % e)
        conn.send_config_set(["no ip ssh authentication-retries"])
    finally:
        conn.disconnect()
    print("PASS: a refused key, then the password")
elif mode == "strict":
    try:
        paramiko_run("show privilege", key_filename=keyfile, look_for_keys=False)
        check(False, "ssh-strict drops paramiko after the refused key")
    except (paramiko.SSHException, EOFError, OSError) as e:
        check(True, "ssh-strict drops paramiko after the refused key (%s)" % type(e).__name__)
    out = paramiko_run("show privilege", look_for_keys=False)
    check("Current privilege level is 15" in out, "look_for_keys=False cures it")
    print("PASS: ssh-strict and its cure")
else:
    sys.exit("usage: keyfirst.py tolerant|strict ...")
