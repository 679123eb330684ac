"""The DCAT export comes in pages of 100 datasets with hydra links, so its cost does not grow
with the catalogue; all pages together hold every approved entry once."""

from __future__ import annotations

from urllib.parse import urlsplit

from bench.seed import BENCH_PASSWORD, seed
from govtool.catalogue import dcat


def test_dcat_export_pages_cover_the_catalogue(app, db):
    seed(networks=2)
    total = dcat.approved_count()
    assert total > dcat.PAGE_SIZE  # the generated set needs a second page
    client = app.test_client()
    client.post("/login", data={"email": "member@bench.example.org", "password": BENCH_PASSWORD})
    seen: list[str] = []
    page, url = 1, "/catalogue/dcat.jsonld"
    while url:
        document = client.get(url).get_json(force=True)
        catalog = document["@graph"][0]
        datasets = [node["@id"] for node in document["@graph"][1:]]
        assert len(datasets) <= dcat.PAGE_SIZE
        seen += datasets
        view = catalog["hydra:view"]
        assert view["@id"].endswith(f"page={page}")
        assert ("hydra:previous" in view) == (page > 1)
        following = urlsplit(view.get("hydra:next", ""))
        url = f"{following.path}?{following.query}" if following.path else ""
        page += 1
    assert len(seen) == len(set(seen)) == total


def test_paging_links_are_iris_in_the_graph(app, db):
    from rdflib import Graph, URIRef

    seed(networks=2)
    client = app.test_client()
    client.post("/login", data={"email": "member@bench.example.org", "password": BENCH_PASSWORD})
    text = client.get("/catalogue/dcat.jsonld?page=2").get_data(as_text=True)
    graph = Graph().parse(data=text, format="json-ld")
    hydra = "http://www.w3.org/ns/hydra/core#"
    for link in ("first", "previous"):
        targets = list(graph.objects(None, URIRef(hydra + link)))
        assert targets and all(isinstance(t, URIRef) for t in targets), link
