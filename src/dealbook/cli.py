"""The `dealbook` command: serve, demo, migrate, createuser, pool-reclaim and Django's commands."""

from __future__ import annotations

import argparse
import os
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealbook.config.settings")
    import django

    django.setup()


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="dealbook serve", description="Serve Dealbook with gunicorn."
    )
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealbook.config.settings")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "dealbook.config.wsgi:application",
        "--config",
        "python:dealbook.config.gunicorn",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]
    print(f"Dealbook is serving at http://{args.host}:{args.port}/ (Ctrl+C stops it)", flush=True)
    os.execv(sys.executable, command)  # noqa: S606 - replaces this process with gunicorn
    return 0


def demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="dealbook demo", description="Load the demo organisation."
    )
    parser.add_argument(
        "--if-empty", action="store_true", help="Do nothing when the database holds data."
    )
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="Multiply record counts (tests use 0.05)."
    )
    args = parser.parse_args(argv)
    _setup()
    from dealbook.demo.build import DemoRefused, build_demo, database_is_empty

    if args.if_empty and not database_is_empty():
        print("The database already holds data; the demo was not loaded.")
        return 0
    try:
        summary = build_demo(seed=args.seed, scale=args.scale)
    except DemoRefused as exc:
        print(f"dealbook demo: {exc}", file=sys.stderr)
        return 2
    print(summary)
    return 0


def generate(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="dealbook generate",
        description=(
            "Generate the demo organisation at benchmark scale, deterministic from the seed, "
            "into the configured database (SQLITE_PATH or DATABASE_URL). The database must be "
            "migrated (`dealbook migrate`) and empty."
        ),
    )
    parser.add_argument("--scale", required=True, choices=("tiny", "small", "large"))
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args(argv)
    _setup()
    import resource

    from django.db import connection

    from dealbook.demo.scale.build import ScaleRefused, build_scale
    from dealbook.demo.scale.presets import PRESETS

    database = connection.settings_dict["NAME"]
    print(f"Generating {args.scale} (seed {args.seed}) into {connection.vendor} {database}")
    try:
        build_scale(
            preset=PRESETS[args.scale], seed=args.seed, report=lambda line: print(line, flush=True)
        )
    except ScaleRefused as exc:
        print(f"dealbook generate: {exc}", file=sys.stderr)
        return 2
    main_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    worker_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest one
    print(
        f"peak RSS: {main_kib / 1024:,.0f} MiB (generator processes: {worker_kib / 1024:,.0f} MiB)"
    )
    return 0


def createuser(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="dealbook createuser", description="Create a user in an organisation."
    )
    parser.add_argument("username")
    parser.add_argument(
        "--org", required=True, help="Organisation slug (created if missing, with --org-name)."
    )
    parser.add_argument("--org-name", default="")
    parser.add_argument("--role", default="admin")
    parser.add_argument("--name", default="")
    parser.add_argument("--email", default="")
    parser.add_argument("--password", default=os.environ.get("DEALBOOK_PASSWORD", ""))
    args = parser.parse_args(argv)
    _setup()
    from dealbook.core.errors import DomainError
    from dealbook.org.models import Organization
    from dealbook.org.services import organization_create, user_create

    org = Organization.objects.filter(slug=args.org).first()
    if org is None:
        org = organization_create(name=args.org_name or args.org, slug=args.org)
    try:
        user = user_create(
            actor=None,
            org=org,
            username=args.username,
            password=args.password or None,
            role=args.role,
            display_name=args.name,
            email=args.email,
        )
    except DomainError as exc:
        print(f"dealbook createuser: {exc.field}: {exc.message}", file=sys.stderr)
        return 2
    print(f"Created {user.username} ({user.role}) in {org.name}.")
    return 0


def pool_reclaim(argv: list[str]) -> int:
    argparse.ArgumentParser(
        prog="dealbook pool-reclaim", description="Return idle records to the pool."
    ).parse_args(argv)
    _setup()
    from dealbook.leads.tasks import reclaim_idle_records

    result = reclaim_idle_records()
    print(result)
    return 0


COMMANDS = {
    "serve": serve,
    "demo": demo,
    "generate": generate,
    "createuser": createuser,
    "pool-reclaim": pool_reclaim,
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(
            "usage: dealbook {serve,demo,generate,migrate,createuser,pool-reclaim,"
            "<django command>} ..."
        )
        return 0
    name, rest = argv[0], argv[1:]
    if name in COMMANDS:
        return COMMANDS[name](rest)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealbook.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dealbook", name, *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
