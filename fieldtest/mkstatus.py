#!/usr/bin/env python3
"""Print a /var/lib/dpkg/status for PKG... as dpkg writes it, from this machine's apt lists (Debian 12 for the
debian-* deployments): `apt-cache show --no-all-versions PKG` paragraphs, `Status: install ok installed` added
after Package, archive-only fields dropped. Usage: python3 fieldtest/mkstatus.py PKG... > src/dpkg-status
Reads only apt's local lists (no network)."""
import subprocess, sys, re
DROP = ("Filename:", "Size:", "MD5sum:", "SHA256:", "Description-md5:", "Tag:")
def para(pkg):
    out = subprocess.run(["apt-cache", "show", "--no-all-versions", pkg], stdout=subprocess.PIPE, text=True, check=True).stdout
    p = out.strip().split("\n\n")[0]
    lines, skip = [], False
    for l in p.splitlines():
        if l.startswith(DROP):
            skip = True; continue
        if skip and l.startswith(" "):
            continue
        skip = False
        lines.append(l)
        if l.startswith("Package:"):
            lines.append("Status: install ok installed")
    return "\n".join(lines) + "\n"
print("\n".join(para(p) for p in sorted(sys.argv[1:])), end="")
