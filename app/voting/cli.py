"""`flask --app wsgi tally FILE.pb --rule greedy|mes [--json]`: count a Pabulib file."""
import json

import click

from app.voting.pabulib import tally_pabulib


@click.command("tally")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--rule", type=click.Choice(["greedy", "mes"]), required=True, help="The counting rule.")
@click.option("--json", "as_json", is_flag=True, help='Print {"rule", "selected", "spent", "budget"} as JSON.')
def tally_command(path: str, rule: str, as_json: bool) -> None:
    """Count a Pabulib file and print the selected project ids."""
    result = tally_pabulib(path, rule)
    if as_json:
        click.echo(json.dumps({"rule": rule, "selected": result.selected, "spent": result.spent, "budget": result.budget}))
    else:
        click.echo(" ".join(result.selected))
