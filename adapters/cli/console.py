"""`facteur serve` (the web console) and `facteur users` (who may use it):
add, remove, passwd, list, and token, which gives a user a bearer token for
the JSON API."""

from __future__ import annotations

import getpass
import sys
from dataclasses import asdict

from facteur.adapters import wiring
from facteur.adapters.cli.common import EXIT_OK, UsageError, emit
from facteur.engine import operations
from facteur.engine.config import Config
from facteur.engine.operations import ROLES


def register(commands, common) -> None:
    serve = commands.add_parser("serve", parents=[common], help="serve the operations console and its JSON API "
                                "at [web] listen (default 127.0.0.1:8080)")
    serve.set_defaults(handler=_serve)

    users = commands.add_parser("users", help="the console's users: add, remove, passwd, list, token")
    actions = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", parents=[common], help="add a user; its password is asked (or read from stdin)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=list(ROLES), help="; ".join(f"{k}: {v}" for k, v in ROLES.items()))
    add.add_argument("--partner", default="", help="the partner id a partner user is bound to")
    add.set_defaults(handler=_add)
    remove = actions.add_parser("remove", parents=[common], help="remove a user, its sessions and tokens")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(handler=_remove)
    passwd = actions.add_parser("passwd", parents=[common], help="change a user's password (its sessions end)")
    passwd.add_argument("name", metavar="NAME")
    passwd.set_defaults(handler=_passwd)
    listing = actions.add_parser("list", parents=[common], help="the users and their roles")
    listing.set_defaults(handler=_list)
    token = actions.add_parser("token", parents=[common], help="a new bearer token for the JSON API, bound to the user")
    token.add_argument("name", metavar="NAME")
    token.set_defaults(handler=_token)


def _serve(args, config: Config) -> int:
    from facteur.adapters.web.server import serve

    return serve(config)


def _password(name: str) -> str:
    """Asked twice on a terminal; else the first line of stdin (for scripts)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"mot de passe de {name} : ")
    if getpass.getpass("encore une fois : ") != first:
        raise UsageError("les deux mots de passe diffèrent ; rien n'a changé")
    return first


def _add(args, config: Config) -> int:
    with wiring.hub(config, create_ledger=True) as hub:
        user = operations.add_user(hub, args.name, _password(args.name), args.role, args.partner)
    print(f"utilisateur {user.name} ajouté, rôle {user.role}" + (f", partenaire {user.partner}" if user.partner else ""))
    return EXIT_OK


def _remove(args, config: Config) -> int:
    with wiring.hub(config, create_ledger=True) as hub:
        operations.remove_user(hub, args.name)
    print(f"utilisateur {args.name} supprimé, avec ses sessions et ses jetons")
    return EXIT_OK


def _passwd(args, config: Config) -> int:
    with wiring.hub(config, create_ledger=True) as hub:
        operations.change_password(hub, args.name, _password(args.name))
    print(f"mot de passe de {args.name} changé ; ses sessions ouvertes sont fermées")
    return EXIT_OK


def _list(args, config: Config) -> int:
    with wiring.hub(config, create_ledger=True) as hub:
        users = operations.list_users(hub)
    if args.json:
        emit([asdict(user) for user in users])
        return EXIT_OK
    for user in users:
        print(f"{user.name:24}  {user.role:8}  {user.partner}")
    if not users:
        print("aucun utilisateur ; « facteur users add NOM --role admin » en ajoute un")
    return EXIT_OK


def _token(args, config: Config) -> int:
    with wiring.hub(config, create_ledger=True) as hub:
        token = operations.issue_token(hub, args.name)
    print(token)
    print(f"jeton d'API de {args.name} (à garder secret ; envoyez « Authorization: Bearer <jeton> »)", file=sys.stderr)
    return EXIT_OK
