"""`flask --app wsgi tally FILE.pb --rule greedy|mes [--json]`: count a Pabulib file.

The counting itself is the stand-alone package `counting` (`python -m counting` is the same
command without starting the application)."""

import json

import click

from counting import pabulib


@click.command("tally")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--rule", type=click.Choice(["greedy", "mes"]), required=True, help="The counting rule.")
@click.option("--json", "as_json", is_flag=True, help='Print {"rule", "selected", "spent", "budget"} as JSON.')
def tally_command(path: str, rule: str, as_json: bool) -> None:
    """Count a Pabulib file and print the selected project ids."""
    election, result = pabulib.count_file(path, rule, explain=False)  # prints no trace
    if as_json:
        click.echo(json.dumps(pabulib.result_summary(election, result)))
    else:
        click.echo(" ".join(result.selected))
