"""Adds a synthetic corpus on top of the real data (to measure scale), or removes it with --remove."""

from django.core.management.base import BaseCommand, CommandError

from bench import synthetic


class Command(BaseCommand):
    help = (
        "Adds N synthetic entries (French text from the real vocabulary, tagged with countries, themes and "
        "organisations) in new meetings coded SYN001, SYN002… with slugs starting with 'synthetic-'. "
        "--remove deletes exactly those meetings and what they hold, never the real data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--entries", type=int, help="How many entries to add.")
        parser.add_argument("--meetings", type=int, help="Spread them over this many new meetings (default N/100).")
        parser.add_argument("--seed", type=int, default=0, help="Random seed: the same seed makes the same corpus.")
        parser.add_argument("--batch-size", type=int, default=2000, help="Rows per INSERT (not on PostgreSQL: COPY).")
        parser.add_argument("--remove", action="store_true", help="Delete every synthetic meeting instead.")

    def handle(self, *args, entries, meetings, seed, batch_size, remove, **options):
        if remove:
            if entries:
                raise CommandError("--remove takes no --entries.")
            try:
                deleted = synthetic.remove()
            except synthetic.RealDataTouched as error:
                raise CommandError(str(error)) from error
            summary = ", ".join(f"{count} {what}" for what, count in deleted.items())
            self.stdout.write(self.style.SUCCESS(f"Removed the synthetic data: {summary}."))
            return
        if not entries or entries < 1:
            raise CommandError("Give --entries N (at least 1), or --remove.")
        if meetings is not None and meetings < 1:
            raise CommandError("--meetings must be at least 1.")
        made = synthetic.Generator(entries, meetings=meetings, seed=seed, batch_size=batch_size).run()
        timings = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in made.seconds.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {made.entries} synthetic entries in {made.meetings} meetings ({made.sessions} sessions; "
                f"{made.country_tags} country, {made.theme_tags} theme and {made.organisation_tags} organisation "
                f"tags) — {timings}."
            )
        )
