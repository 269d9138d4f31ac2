"""Create (or update) a staff account in the Secretariat group, from the shell."""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

PASSWORD_ENV = "RABATKB_ACCOUNT_PASSWORD"
GROUP = "Secretariat"


class Command(BaseCommand):
    help = (
        "Create a secretariat account: a staff user in the Secretariat group, who curates and publishes in the "
        f"admin but manages no users. The password is prompted, or read from ${PASSWORD_ENV} with "
        "--password-from-env."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="The account's e-mail address.")
        parser.add_argument(
            "--password-from-env",
            action="store_true",
            help=f"Read the password from the {PASSWORD_ENV} environment variable instead of prompting.",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="If the account exists, set its password (and e-mail if given) and put it in the group.",
        )

    def handle(self, username, email, password_from_env, update, **options):
        User = get_user_model()
        try:
            group = Group.objects.get(name=GROUP)
        except Group.DoesNotExist as error:
            raise CommandError(f"The {GROUP} group does not exist: run `manage.py migrate` first.") from error
        if email:
            try:
                validate_email(email)
            except ValidationError as error:
                raise CommandError(f"Invalid e-mail address: {email}") from error

        user = User.objects.filter(username=username).first()
        if user and not update:
            raise CommandError(f"The user {username!r} already exists; pass --update to change it.")
        if user is None:
            user = User(username=username)
        if email:
            user.email = email

        password = self.read_password(password_from_env)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from error

        created = user.pk is None
        with transaction.atomic():
            user.is_staff = True
            user.is_active = True
            user.set_password(password)
            user.save()
            user.groups.add(group)
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} the secretariat account {username!r}."))

    def read_password(self, from_env):
        if from_env:
            password = os.environ.get(PASSWORD_ENV, "")
            if not password:
                raise CommandError(f"--password-from-env given but {PASSWORD_ENV} is empty or unset.")
            return password
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt) as error:
            raise CommandError(
                f"No password given (no terminal? use --password-from-env and {PASSWORD_ENV})."
            ) from error
        if password != again:
            raise CommandError("The two passwords differ.")
        if not password:
            raise CommandError("The password is empty.")
        return password
