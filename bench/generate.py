#!/usr/bin/env python3
"""Generate a synthetic corpus of release-unit manifests for the benchmark.

Writes COUNT files to OUT/releases/unit-NNNNN/1.0.0/release.yaml. Every file is
meant to be clean for `release-gate lint` with the embedded default policy and
valid against schemas/release.schema.json:

* `kind: Release` with a three-part version, `unit` and `version` matching the
  folder names;
* `author` is a person of the embedded policy (dora, anna, ...);
* `delivered` is an RFC 3339 instant with a UTC offset, written as a quoted
  string (see below);
* digests are `sha256:` and 64 lower-case hex digits;
* `documentation` names one guide, `docs/guide.md`, written next to each
  manifest, as installation guide, authentication description and user guide;
  it mentions every authentication method of INTERFACES, so each unit passes the
  acceptance checklist (the peers validate `release.yaml` only);
* api-calls use the roles GWA, EMTa, EMTp and calls from the policy's role matrix.

Why `delivered` is quoted: YAML 1.1 loaders (js-yaml 3, used by ajv-cli) turn an
unquoted `2020-03-02T09:30:00+01:00` into a date object, which the schema's
`type: string` then rejects. YAML 1.2 loaders (release-gate, check-jsonschema)
read it as a string either way. Quoting keeps the same files valid for all three.

Each file gets its own random generator, seeded from --seed and its index, so the
first K files of a corpus of any size are byte-identical to a corpus of size K.
Only the standard library is used.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

# People of the embedded policy (policy/default.yaml); any of them may be author.
PEOPLE = ["dora", "anna", "ben", "carla", "erik", "paula"]

# The embedded policy's role matrix: the calls each smart-metering role may make.
ROLE_MATRIX = {
    "GWA": ["gateway.configure", "gateway.firmware-update", "certificate.renew", "tenant.read"],
    "EMTa": ["meter-data.read", "tariff.configure"],
    "EMTp": ["meter-data.read"],
}

VENDORS = [
    ("Example Metering Software GmbH", "releases@vendor.example"),
    ("Nordlicht Energiedaten AG", "delivery@nordlicht.example"),
    ("Saarland Grid Systems GmbH", "https://tickets.sgs.example/queue/releases"),
    ("Kappa Smart Infrastructure SE", "rework@kappa.example"),
    ("Meterwise Solutions GmbH", "support+releases@meterwise.example"),
]

AREAS = [
    ("gwa", "Gateway administration"),
    ("mdm", "Meter data management"),
    ("tariff", "Tariff engine"),
    ("pki", "Certificate lifecycle"),
    ("portal", "Customer portal"),
    ("billing", "Billing export"),
    ("fw", "Firmware distribution"),
    ("audit", "Audit trail"),
]

PURPOSES = [
    "quarterly release",
    "feature release with reworked operator screens",
    "maintenance release with dependency updates",
    "release for the new tariff models",
    "performance release for large gateway fleets",
    "release with extended audit logging",
]

COMPONENT_ROLES = ["backend", "web", "worker", "scheduler", "importer", "exporter", "api", "db-migrations"]

RUNTIMES = ["Java 21 (Temurin)", "Java 17 (Temurin)", "Python 3.12", "Node.js 22", ".NET 8", "none (static Go binary)"]
SYSTEMS = ["Debian 12, kernel 6.1 or later", "RHEL 9.4", "Ubuntu 24.04 LTS", "SLES 15 SP6"]
DEPENDENCIES = ["PostgreSQL 16", "PostgreSQL 15", "OpenLDAP 2.6", "RabbitMQ 3.13", "Redis 7.2",
                "Apache Kafka 3.7", "HashiCorp Vault 1.17", "Keycloak 25"]

VARIABLES = [
    ("DB_URL", "JDBC URL of the unit's database, e.g. jdbc:postgresql://db:5432/app."),
    ("DB_USER", "Database account the unit signs in with; needs DDL rights for migrations."),
    ("LDAP_URL", "URL of the directory used to sign operators in (ldaps only)."),
    ("HSM_SLOT", "PKCS#11 slot of the hardware security module holding the signing key."),
    ("KAFKA_BOOTSTRAP", "Comma-separated host:port list of the Kafka brokers."),
    ("LOG_LEVEL", "One of ERROR, WARN, INFO, DEBUG; INFO in production."),
    ("TZ", "Time zone of the host; must be Europe/Berlin for the window checks."),
    ("VAULT_ADDR", "Address of the secrets store the unit reads credentials from."),
]

SETTINGS = [
    ("session-timeout", "Minutes of inactivity after which an operator is signed out (5-60)."),
    ("export-batch-size", "Number of meter readings per export batch (100-10000)."),
    ("retry-limit", "How often a failed gateway call is retried before it is reported (0-10)."),
    ("retention-days", "Days after which processed readings are archived (30-3650)."),
    ("ui-language", "Default language of the operator screens: de or en."),
    ("maintenance-banner", "Text shown to operators before a planned downtime."),
]

# (name, relation, peer, protocol, port, authentication)
INTERFACES = [
    ("operator-ui", "user-to-application", "browser", "https", 443, "oauth2"),
    ("smgw-admin", "application-to-application", "smart-meter gateways", "tls", 8443, "mtls"),
    ("directory", "application-to-backend", "LDAP", "ldaps", 636, "ldap"),
    ("database", "application-to-backend", "PostgreSQL", "postgresql", 5432, "scram-sha-256"),
    ("events", "application-to-backend", "Kafka", "kafka+tls", 9093, "mtls"),
    ("market-api", "application-to-application", "market partner systems", "https", 443, "jwt"),
    ("mail", "application-to-backend", "SMTP relay", "smtp", 587, "starttls-login"),
    ("sso", "user-to-application", "identity provider", "https", 443, "saml"),
]


GUIDE = """# Installation, authentication and use

Set the installation variables listed in release.yaml, then run the installer.

Operators sign in with OAuth 2.0 or SAML; partner systems present a JWT; gateways
and the event bus use mutual TLS (mtls); the directory is bound with LDAP, the
database with scram-sha-256, the mail relay with starttls-login.

Every setting listed in release.yaml is changed in the administration screen.
"""


def scalar(text: str) -> str:
    """A YAML scalar for `text`: plain when safe, double-quoted otherwise.

    JSON strings are valid YAML double-quoted scalars, so json.dumps quotes safely.
    """
    plain_safe = (
        text
        and text[0].isalpha()
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and not any(c in text for c in "{}[],&*!|>'\"%@`")
        and text.lower() not in {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}
    )
    return text if plain_safe else json.dumps(text)


def flow_list(items: list[str]) -> str:
    return "[" + ", ".join(scalar(i) for i in items) + "]"


def manifest(index: int, seed: int) -> tuple[str, str]:
    """Returns (unit name, YAML text) of manifest number `index`."""
    rng = random.Random(seed * 1_000_003 + index)
    unit = f"unit-{index:05d}"
    area, area_title = rng.choice(AREAS)
    vendor, contact = rng.choice(VENDORS)

    # Delivered between 2019-01 and 2020-05, before the benchmark's --at instant;
    # the offset follows German summer time roughly (April to October: +02:00).
    year, month = rng.choice([(2019, m) for m in range(1, 13)] + [(2020, m) for m in range(1, 6)])
    offset = "+02:00" if 4 <= month <= 10 else "+01:00"
    delivered = (f"{year}-{month:02d}-{rng.randint(1, 28):02d}T"
                 f"{rng.randint(7, 17):02d}:{rng.choice([0, 15, 30, 45]):02d}:00{offset}")

    delta = rng.random() < 0.25
    lines = [
        f"# Generated by bench/generate.py (seed {seed}, manifest {index}); synthetic data.",
        "api: release-gate/v1",
        "kind: Release",
        f"unit: {unit}",
        "version: 1.0.0",
        f"title: {scalar(f'{area_title}, {rng.choice(PURPOSES)}')}",
        f"author: {rng.choice(PEOPLE)}",
        "vendor:",
        f"  name: {scalar(vendor)}",
        f"  contact: {scalar(contact)}",
        f"delivered: \"{delivered}\"",
        f"scope: {'delta' if delta else 'full'}",
    ]
    if delta:
        lines.append(f"base: 0.{rng.randint(1, 9)}.{rng.randint(0, 20)}")
    lines.append(f"downtime: {'true' if rng.random() < 0.6 else 'false'}")

    lines.append("components:")
    for role in rng.sample(COMPONENT_ROLES, rng.randint(2, 4)):
        version = f"1.{rng.randint(0, 12)}.{rng.randint(0, 30)}"
        digest = "".join(rng.choice("0123456789abcdef") for _ in range(64))
        lines += [
            f"  - name: {area}-{role}",
            f"    version: {version}",
            f"    artifact: registry.example/{area}/{role}:{version}",
            f"    digest: sha256:{digest}",
        ]

    lines += [
        "documentation:",
        "  installation-guide: docs/guide.md",
        "  authentication: docs/guide.md",
        "  user-guide: docs/guide.md",
        "  system-requirements:",
        f"    runtime: {flow_list(rng.sample(RUNTIMES, 1))}",
        f"    os: {flow_list(rng.sample(SYSTEMS, rng.randint(1, 2)))}",
        f"    dependencies: {flow_list(rng.sample(DEPENDENCIES, rng.randint(1, 4)))}",
        "  installation-variables:",
    ]
    for name, description in rng.sample(VARIABLES, rng.randint(2, 4)):
        lines += [f"    - name: {area.upper()}_{name}", f"      description: {scalar(description)}"]
    lines.append("  settings:")
    for name, description in rng.sample(SETTINGS, rng.randint(1, 3)):
        lines += [f"    - name: {name}", f"      description: {scalar(description)}"]

    lines.append("interfaces:")
    for name, relation, peer, protocol, port, auth in rng.sample(INTERFACES, rng.randint(2, 4)):
        lines += [
            f"  - name: {name}",
            f"    relation: {relation}",
            f"    peer: {scalar(peer)}",
            f"    protocol: {scalar(protocol)}",
            f"    port: {port}",
            f"    authentication: {scalar(auth)}",
        ]

    roles = rng.sample(sorted(ROLE_MATRIX), rng.randint(1, 3))
    lines.append("api-calls:")
    for role in sorted(roles):
        calls = ROLE_MATRIX[role]
        lines.append(f"  {role}: {flow_list(rng.sample(calls, rng.randint(1, len(calls))))}")

    return unit, "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="number of manifests (default 10000)")
    parser.add_argument("--out", type=Path, required=True, help="corpus folder; OUT/releases is replaced")
    parser.add_argument("--seed", type=int, default=20200601, help="random seed (default 20200601)")
    args = parser.parse_args()
    if not 1 <= args.count <= 99_999:
        parser.error("--count must be between 1 and 99999 (unit names have five digits)")

    # Replace only the releases/ folder this script writes, so that a smaller
    # second run does not leave stale manifests from an earlier, larger one.
    releases = args.out / "releases"
    if releases.exists():
        shutil.rmtree(releases)

    sizes = []
    for index in range(1, args.count + 1):
        unit, text = manifest(index, args.seed)
        folder = releases / unit / "1.0.0"
        folder.mkdir(parents=True)
        (folder / "release.yaml").write_text(text, encoding="utf-8")
        (folder / "docs").mkdir()
        (folder / "docs" / "guide.md").write_text(GUIDE, encoding="utf-8")
        sizes.append(len(text.encode()))

    sizes.sort()
    print(f"generate.py: {args.count} manifests in {releases} "
          f"(bytes min {sizes[0]}, median {sizes[len(sizes) // 2]}, max {sizes[-1]}, "
          f"total {sum(sizes) / 1e6:.1f} MB; seed {args.seed})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
