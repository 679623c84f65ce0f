#!/usr/bin/env python3
"""Lints what can be checked here of the deployment files (no Docker engine or Helm on this machine):
the compose file and chart metadata parse and hold what they must; every Helm template, with its
template actions blanked out, is valid YAML and names only values that values.yaml defines; the
probes point at routes the server has; the Dockerfile is multi-stage and runs as a non-root user."""
import pathlib
import re
import sys

import yaml

root = pathlib.Path(__file__).resolve().parent.parent
problems = []


def check(cond, message):
    if not cond:
        problems.append(message)


compose = yaml.safe_load((root / "docker-compose.yml").read_text())
services = compose.get("services", {})
for name in ("postgres", "migrate", "serve", "worker"):
    check(name in services, f"docker-compose.yml: service '{name}' is missing")
for name in ("migrate", "serve", "worker"):
    env = services.get(name, {}).get("environment", {})
    check(str(env.get("OVERDUE_DATABASE_URL", "")).startswith("postgres://"), f"docker-compose.yml: {name} needs OVERDUE_DATABASE_URL=postgres://…")
check(services.get("worker", {}).get("deploy", {}).get("replicas") == 2, "docker-compose.yml: worker must run 2 replicas")

chart_dir = root / "deploy/helm/overdue"
chart = yaml.safe_load((chart_dir / "Chart.yaml").read_text())
for key in ("apiVersion", "name", "version", "appVersion"):
    check(key in chart, f"Chart.yaml: '{key}' is missing")
values = yaml.safe_load((chart_dir / "values.yaml").read_text())


def has_value(path):
    node = values
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


kinds = []
for template in sorted((chart_dir / "templates").glob("*")):
    text = template.read_text()
    check(text.count("{{") == text.count("}}"), f"{template.name}: unbalanced template braces")
    for ref in re.findall(r"\.Values\.([A-Za-z0-9_.]+)", text):
        check(has_value(ref), f"{template.name}: .Values.{ref} is not defined in values.yaml")
    if template.suffix != ".yaml":
        continue
    # Lines that are only template actions vanish; inline actions become a placeholder scalar.
    lines = [l for l in text.splitlines() if not re.fullmatch(r"\s*\{\{-?.*-?\}\}\s*", l)]
    blanked = re.sub(r"\{\{-?.*?-?\}\}", "x", "\n".join(lines))
    try:
        for doc in yaml.safe_load_all(blanked):
            if doc:
                kinds.append(doc.get("kind"))
    except yaml.YAMLError as e:
        problems.append(f"{template.name}: not valid YAML once template actions are blanked: {e}")
for kind in ("Deployment", "Job", "Service", "Secret"):
    check(kind in kinds, f"helm chart: no {kind}")
check(kinds.count("Deployment") == 2, "helm chart: expected serve and worker Deployments")

serve = (chart_dir / "templates/serve.yaml").read_text()
routes = (root / "Sources/OverdueServer/APIController.swift").read_text()
for path in ("/healthz", "/readyz"):
    check(path in serve, f"serve.yaml: no probe on {path}")
    check(f'"{path}"' in routes, f"the server has no {path} route")

dockerfile = (root / "Dockerfile").read_text()
check(len(re.findall(r"^FROM ", dockerfile, re.M)) >= 2, "Dockerfile: must be multi-stage")
users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
check(bool(users) and not users[-1].split(":")[0] in ("root", "0"), "Dockerfile: must run as a non-root USER")
check("tzdata" in dockerfile, "Dockerfile: the runtime image needs tzdata (IANA zones)")

if problems:
    print("deployment lint failed:\n  - " + "\n  - ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"deployment lint: compose, chart ({len(kinds)} manifests) and Dockerfile OK")
