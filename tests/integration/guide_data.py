"""The guide's product_info index and its six documents (ik_smart replaced by standard)."""

PRODUCT_INDEX = "product_info"

# The guide's mapping uses the ik_smart analyzer (a plugin); these nodes have only built-in analyzers.
PRODUCT_SETTINGS = {"number_of_shards": 5, "number_of_replicas": 0}
PRODUCT_MAPPINGS = {
    "properties": {
        "productName": {"type": "text", "analyzer": "standard"},
        "annual_rate": {"type": "keyword"},
        "describe": {"type": "text", "analyzer": "standard"},
    }
}
GUIDE_MAPPINGS = {
    "properties": {
        "productName": {"type": "text", "analyzer": "ik_smart"},
        "annual_rate": {"type": "keyword"},
        "describe": {"type": "text", "analyzer": "ik_smart"},
    }
}

PRODUCT_DOCS = [
    {
        "productName": "Wealth Management Product A",
        "annual_rate": "3.2200%",
        "describe": "180-day fixed wealth management, minimum investment of 20,000, stable returns, "
        "self-service message push selection available",
    },
    {
        "productName": "Wealth Management Product B",
        "annual_rate": "3.1100%",
        "describe": "90-day fixed investment product, minimum investment of 10,000, daily income message push",
    },
    {
        "productName": "Wealth Management Product C",
        "annual_rate": "3.3500%",
        "describe": "270-day fixed investment product, minimum investment of 40,000, daily income immediately pushed",
    },
    {
        "productName": "Wealth Management Product D",
        "annual_rate": "3.1200%",
        "describe": "90-day fixed investment product, minimum investment of 12,000, daily income message push",
    },
    {
        "productName": "Wealth Management Product E",
        "annual_rate": "3.0100%",
        "describe": "30-day fixed investment product recommendation, minimum investment of 8,000, "
        "daily income message push",
    },
    {
        "productName": "Wealth Management Product F",
        "annual_rate": "2.7500%",
        "describe": "Popular short-term product, 3-day short term, no service fees, minimum investment of 500, "
        "receive income messages via text message",
    },
]


def load_product_info(client, index=PRODUCT_INDEX):
    """(Re)create the guide's index on a cluster and bulk-load the six documents."""
    client.options(ignore_status=404).indices.delete(index=index)
    client.indices.create(index=index, settings=PRODUCT_SETTINGS, mappings=PRODUCT_MAPPINGS)
    operations = []
    for number, doc in enumerate(PRODUCT_DOCS):
        operations.append({"index": {"_index": index, "_id": "product-%d" % number}})
        operations.append(doc)
    response = client.bulk(operations=operations, refresh=True)
    assert not response["errors"], response
