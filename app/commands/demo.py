import click


@click.group(help="The demo partnership (Leicestershire, from the seed board papers).")
def demo():
    pass
